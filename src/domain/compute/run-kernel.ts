/** Calling one of our registered kernels (webgpu or wasm) by name. */
import * as tf from '@tensorflow/tfjs';

type RunKernel = (name: string, inputs: Record<string, tf.Tensor>, attrs: Record<string, unknown>) => tf.Tensor | tf.Tensor[];

/** Runs a registered kernel through the engine (tidy, memory and profiling see it as any op). */
export function runKernel<T extends tf.Tensor | tf.Tensor[] = tf.Tensor>(name: string, inputs: Record<string, tf.Tensor>, attrs: Record<string, unknown> = {}): T {
  return (tf.engine().runKernel as unknown as RunKernel)(name, inputs, attrs) as T;
}
