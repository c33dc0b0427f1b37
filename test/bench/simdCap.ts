/**
 * How close the MLP's matrix products come to what WebAssembly SIMD allows here (issue 20: 128-bit
 * SIMD without fused multiply-add caps small dense products), measured in the run that prints it:
 *
 * - the cap: the product kernel's inner loop (kernels.wat `panel16`: per step of k, 4 f32x4 loads of
 *   b, 2 splats of a, 8 multiplies and 8 adds into 8 accumulators) on a 2 × 256 block of A and a
 *   256 × 16 panel that stay in L1 cache, so nothing but the instructions limits it. Other blockings
 *   of the same arithmetic ran slower on this machine (GFLOP/s, one run: 2×16 32.1, 4×8 31.5, 3×8
 *   30.4, 5×8 26.3, 1×16 26.2, 4×12 25.6, 6×8 24.5, 3×16 24.4; operands of the multiply loaded in
 *   place instead of held in locals 19-25), and so did a loop with no loads at all (17-28: V8's
 *   code for it is worse);
 * - the products: the 8 matrix products of one training step of the 784-128-128-10 MLP (3 forward,
 *   3 weight gradients, 2 input gradients) through the wasm backend's BatchMatMul kernel (Netloom's),
 *   transposed operands as the gradients pass them, one thread, best of several rounds.
 */
import * as tf from '@tensorflow/tfjs';
import wabt from 'wabt';

/** panel16's loop (kernels.wat), `reps` times over the same L1-resident operands. */
const CAP_WAT = `(module (memory 1)
  (func (export "cap") (param $reps i32) (result f32)
    (local $pa0 i32) (local $pa1 i32) (local $pb i32)
    (local $b0 v128) (local $b1 v128) (local $b2 v128) (local $b3 v128) (local $x v128)
    (local $c0 v128) (local $c1 v128) (local $c2 v128) (local $c3 v128)
    (local $d0 v128) (local $d1 v128) (local $d2 v128) (local $d3 v128)
    (loop $r
      (local.set $pa0 (i32.const 0))
      (local.set $pa1 (i32.const 1024))
      (local.set $pb (i32.const 4096))
      (loop $kloop
        (local.set $b0 (v128.load align=4 (local.get $pb)))
        (local.set $b1 (v128.load offset=16 align=4 (local.get $pb)))
        (local.set $b2 (v128.load offset=32 align=4 (local.get $pb)))
        (local.set $b3 (v128.load offset=48 align=4 (local.get $pb)))
        (local.set $x (v128.load32_splat align=4 (local.get $pa0)))
        (local.set $c0 (f32x4.add (local.get $c0) (f32x4.mul (local.get $x) (local.get $b0))))
        (local.set $c1 (f32x4.add (local.get $c1) (f32x4.mul (local.get $x) (local.get $b1))))
        (local.set $c2 (f32x4.add (local.get $c2) (f32x4.mul (local.get $x) (local.get $b2))))
        (local.set $c3 (f32x4.add (local.get $c3) (f32x4.mul (local.get $x) (local.get $b3))))
        (local.set $x (v128.load32_splat align=4 (local.get $pa1)))
        (local.set $d0 (f32x4.add (local.get $d0) (f32x4.mul (local.get $x) (local.get $b0))))
        (local.set $d1 (f32x4.add (local.get $d1) (f32x4.mul (local.get $x) (local.get $b1))))
        (local.set $d2 (f32x4.add (local.get $d2) (f32x4.mul (local.get $x) (local.get $b2))))
        (local.set $d3 (f32x4.add (local.get $d3) (f32x4.mul (local.get $x) (local.get $b3))))
        (local.set $pa0 (i32.add (local.get $pa0) (i32.const 4)))
        (local.set $pa1 (i32.add (local.get $pa1) (i32.const 4)))
        (local.set $pb (i32.add (local.get $pb) (i32.const 64)))
        (br_if $kloop (i32.ne (local.get $pb) (i32.const 20480))))
      (local.set $reps (i32.sub (local.get $reps) (i32.const 1)))
      (br_if $r (local.get $reps)))
    ;; Every accumulator feeds the result (nothing is dead code).
    (f32x4.extract_lane 0
      (f32x4.add
        (f32x4.add (f32x4.add (local.get $c0) (local.get $c1)) (f32x4.add (local.get $c2) (local.get $c3)))
        (f32x4.add (f32x4.add (local.get $d0) (local.get $d1)) (f32x4.add (local.get $d2) (local.get $d3)))))))`;

interface WasmInstantiate {
  instantiate(bytes: Uint8Array): Promise<{ instance: { exports: Record<string, unknown> } }>;
}

/** FLOPs of one rep of the cap loop: 256 steps of k, 2 rows × 16 columns, a multiply and an add each. */
const CAP_FLOPS_PER_REP = 256 * 2 * 16 * 2;

/** GFLOP/s of the cap loop on this thread, best of `rounds`. */
export async function simdCapGflops(rounds = 12): Promise<number> {
  const w = await wabt();
  const mod = w.parseWat('cap.wat', CAP_WAT, { simd: true });
  let bytes: Uint8Array;
  try {
    mod.validate();
    bytes = mod.toBinary({}).buffer;
  } finally {
    mod.destroy();
  }
  // The WebAssembly JS API (Node has it; TypeScript types it only in its DOM lib).
  const wa = (globalThis as unknown as { WebAssembly: WasmInstantiate }).WebAssembly;
  const cap = (await wa.instantiate(bytes)).instance.exports.cap as (reps: number) => number;
  // Calls, then a pause, so that the optimising tier has compiled it (wasm tiers up between calls).
  for (let i = 0; i < 5; i++) cap(100);
  await new Promise((r) => setTimeout(r, 300));
  const reps = 4000;
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    const t = performance.now();
    cap(reps);
    best = Math.min(best, performance.now() - t);
  }
  return (CAP_FLOPS_PER_REP * reps) / best / 1e6;
}

/** The 8 products of an MLP training step (784-128-128-10) at `batch`: [a shape, b shape, transposeA, transposeB]. */
function mlpProducts(batch: number): [number[], number[], boolean, boolean][] {
  const widths = [784, 128, 128, 10];
  const out: [number[], number[], boolean, boolean][] = [];
  for (let l = 0; l < 3; l++) {
    const [i, o] = [widths[l]!, widths[l + 1]!];
    out.push([[batch, i], [i, o], false, false]); // forward: x·W
    out.push([[batch, i], [batch, o], true, false]); // weight gradient: xᵀ·dz
    if (l > 0) out.push([[batch, o], [i, o], false, true]); // input gradient: dz·Wᵀ
  }
  return out;
}

/** GFLOP/s of the MLP step's products at `batch` on the active backend (wasm), best of `rounds`. */
export function mlpProductsGflops(batch: number, rounds = 15): { gflops: number; ms: number } {
  const products = mlpProducts(batch).map(([as, bs, ta, tb]) => {
    const a = tf.randomUniform(as, -1, 1);
    const b = tf.randomUniform(bs, -1, 1);
    const m = ta ? as[1]! : as[0]!;
    const k = ta ? as[0]! : as[1]!;
    const n = tb ? bs[0]! : bs[1]!;
    return { a, b, ta, tb, flops: 2 * m * k * n };
  });
  const flops = products.reduce((s, p) => s + p.flops, 0);
  const once = () => {
    const t = performance.now();
    for (const p of products) tf.matMul(p.a, p.b, p.ta, p.tb).dispose();
    return performance.now() - t;
  };
  once();
  let best = Infinity;
  for (let r = 0; r < rounds; r++) best = Math.min(best, once());
  for (const p of products) tf.dispose([p.a, p.b]);
  return { gflops: flops / best / 1e6, ms: best };
}
