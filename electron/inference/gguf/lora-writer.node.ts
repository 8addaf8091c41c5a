// LoRA adapters as GGUF (llama.cpp's llama-adapter.cpp): general.type = "adapter",
// adapter.type = "lora", adapter.lora.alpha, and for each adapted weight W (ne = [in, out])
// the pair W.lora_a (ne = [in, r]) and W.lora_b (ne = [r, out]); the update is
// scale · (alpha / r) · B·A added to W.
import { GGML } from './ggml-types.std';
import { gguf } from './gguf-format.std';
import { writeGguf, type TensorToWrite } from './gguf-writer.node';
import { encodeF32 } from './quantize.std';

export interface LoraTarget {
  /** The base model's tensor, e.g. "blk.0.attn_q.weight". */
  tensor: string;
  /** Row length of the base tensor (ne[0]). */
  inputs: number;
  /** Rows of the base tensor (ne[1]). */
  outputs: number;
  /** inputs × rank values, ne[0] = inputs. */
  a: Float32Array;
  /** rank × outputs values, ne[0] = rank. */
  b: Float32Array;
}

export interface LoraAdapter {
  architecture: string;
  rank: number;
  alpha: number;
  targets: LoraTarget[];
  name?: string;
}

export async function writeLoraAdapter(path: string, adapter: LoraAdapter): Promise<void> {
  const tensors: TensorToWrite[] = adapter.targets.flatMap((t) => {
    if (t.a.length !== t.inputs * adapter.rank || t.b.length !== adapter.rank * t.outputs) {
      throw new RangeError(`LoRA for ${t.tensor}: A must be ${t.inputs}×${adapter.rank} and B ${adapter.rank}×${t.outputs}.`);
    }
    return [
      { name: `${t.tensor}.lora_a`, dims: [t.inputs, adapter.rank], type: GGML.F32, data: encodeF32(t.a) },
      { name: `${t.tensor}.lora_b`, dims: [adapter.rank, t.outputs], type: GGML.F32, data: encodeF32(t.b) },
    ];
  });
  await writeGguf(
    path,
    {
      'general.architecture': gguf.str(adapter.architecture),
      'general.type': gguf.str('adapter'),
      'general.name': gguf.str(adapter.name ?? 'LightSeed adapter'),
      'adapter.type': gguf.str('lora'),
      'adapter.lora.alpha': gguf.f32(adapter.alpha),
    },
    tensors,
  );
}
