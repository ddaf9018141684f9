// jstat ships no type declarations; this covers only the distribution functions the analysis uses.
declare module 'jstat' {
  interface JStatStudentT {
    /** Cumulative distribution function of Student's t with `dof` degrees of freedom. */
    cdf(x: number, dof: number): number;
    /** Quantile function (inverse cdf) of Student's t. */
    inv(p: number, dof: number): number;
  }
  interface JStatApi {
    studentt: JStatStudentT;
    /** The UMD build sets this self-reference "for compatibility with previous versions". */
    jStat?: JStatApi;
  }
  const jStat: JStatApi;
  export default jStat;
}
