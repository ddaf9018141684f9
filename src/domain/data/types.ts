/**
 * The one in-memory shape of a SQuAD-format QA row, whatever file or Hub split it came from.
 * Field names follow the Hugging Face datasets schema the Python system reads
 * (`answers.answer_end` is the emrQA-msquad extension, optional elsewhere).
 */
export interface QAAnswers {
  text: string[];
  answer_start: number[];
  answer_end?: number[];
}

export interface QARecord {
  id: string;
  title?: string;
  context: string;
  question: string;
  answers: QAAnswers;
  /**
   * Only on generated demo rows: which deliberate corruption the row carries
   * ("shifted_span", "wrong_answer", "conflicting_duplicate"), so analyses can check that
   * cartography finds them. Never set on imported data.
   */
  noise?: string;
}

/** Split names as the Hub uses them; free-form because datasets may define their own. */
export type SplitName = string;
