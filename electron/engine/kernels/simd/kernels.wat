;; Netloom's own WebAssembly SIMD kernels. They run on the wasm backend's own memory (imported), on
;; tensors in place: arguments are byte offsets of tensor data in that memory. No data segments, no
;; stack in memory: nothing here writes outside the outputs it is given.
;;
;; Source of electron/engine/kernels/simd/kernels.ts (npm run wasm regenerates it; a unit test checks
;; the two agree).
(module
  (import "env" "memory" (memory 0))

  ;; One Adam (or AdamW) update of n floats, exactly tfjs's AdamOptimizer in float32:
  ;;   m1 = m·β1 + g·(1−β1)          v1 = v·β2 + g²·(1−β2)
  ;;   x1 = ((m1 / d1) / (sqrt(v1 / d2) + ε))·(−lr) + x·decay
  ;; with d = 1 − β^t (bias corrections) and decay = 1 − lr·wd (AdamW; 1 for Adam, exact).
  (func (export "adam")
    (param $x i32) (param $m i32) (param $v i32) (param $g i32)
    (param $xo i32) (param $mo i32) (param $vo i32) (param $n i32)
    (param $b1 f32) (param $b2 f32) (param $c1 f32) (param $c2 f32)
    (param $d1 f32) (param $d2 f32) (param $eps f32) (param $nlr f32) (param $decay f32)
    (local $off i32) (local $end i32)
    (local $B1 v128) (local $B2 v128) (local $C1 v128) (local $C2 v128)
    (local $D1 v128) (local $D2 v128) (local $EPS v128) (local $NLR v128) (local $DECAY v128)
    (local $gv v128) (local $m1 v128) (local $v1 v128)
    (local $gs f32) (local $m1s f32) (local $v1s f32)
    (local.set $B1 (f32x4.splat (local.get $b1)))
    (local.set $B2 (f32x4.splat (local.get $b2)))
    (local.set $C1 (f32x4.splat (local.get $c1)))
    (local.set $C2 (f32x4.splat (local.get $c2)))
    (local.set $D1 (f32x4.splat (local.get $d1)))
    (local.set $D2 (f32x4.splat (local.get $d2)))
    (local.set $EPS (f32x4.splat (local.get $eps)))
    (local.set $NLR (f32x4.splat (local.get $nlr)))
    (local.set $DECAY (f32x4.splat (local.get $decay)))
    ;; Four at a time: byte offsets 0, 16, ... below end = 4·(n rounded down to a multiple of 4).
    (local.set $end (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2)))
    (block $vdone
      (loop $vloop
        (br_if $vdone (i32.ge_u (local.get $off) (local.get $end)))
        (local.set $gv (v128.load align=4 (i32.add (local.get $g) (local.get $off))))
        (local.set $m1
          (f32x4.add
            (f32x4.mul (v128.load align=4 (i32.add (local.get $m) (local.get $off))) (local.get $B1))
            (f32x4.mul (local.get $gv) (local.get $C1))))
        (local.set $v1
          (f32x4.add
            (f32x4.mul (v128.load align=4 (i32.add (local.get $v) (local.get $off))) (local.get $B2))
            (f32x4.mul (f32x4.mul (local.get $gv) (local.get $gv)) (local.get $C2))))
        (v128.store align=4 (i32.add (local.get $mo) (local.get $off)) (local.get $m1))
        (v128.store align=4 (i32.add (local.get $vo) (local.get $off)) (local.get $v1))
        (v128.store align=4 (i32.add (local.get $xo) (local.get $off))
          (f32x4.add
            (f32x4.mul
              (f32x4.div
                (f32x4.div (local.get $m1) (local.get $D1))
                (f32x4.add (f32x4.sqrt (f32x4.div (local.get $v1) (local.get $D2))) (local.get $EPS)))
              (local.get $NLR))
            (f32x4.mul (v128.load align=4 (i32.add (local.get $x) (local.get $off))) (local.get $DECAY))))
        (local.set $off (i32.add (local.get $off) (i32.const 16)))
        (br $vloop)))
    ;; The last n mod 4, one at a time (the same operations on single floats).
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $sdone
      (loop $sloop
        (br_if $sdone (i32.ge_u (local.get $off) (local.get $end)))
        (local.set $gs (f32.load (i32.add (local.get $g) (local.get $off))))
        (local.set $m1s
          (f32.add
            (f32.mul (f32.load (i32.add (local.get $m) (local.get $off))) (local.get $b1))
            (f32.mul (local.get $gs) (local.get $c1))))
        (local.set $v1s
          (f32.add
            (f32.mul (f32.load (i32.add (local.get $v) (local.get $off))) (local.get $b2))
            (f32.mul (f32.mul (local.get $gs) (local.get $gs)) (local.get $c2))))
        (f32.store (i32.add (local.get $mo) (local.get $off)) (local.get $m1s))
        (f32.store (i32.add (local.get $vo) (local.get $off)) (local.get $v1s))
        (f32.store (i32.add (local.get $xo) (local.get $off))
          (f32.add
            (f32.mul
              (f32.div
                (f32.div (local.get $m1s) (local.get $d1))
                (f32.add (f32.sqrt (f32.div (local.get $v1s) (local.get $d2))) (local.get $eps)))
              (local.get $nlr))
            (f32.mul (f32.load (i32.add (local.get $x) (local.get $off))) (local.get $decay))))
        (local.set $off (i32.add (local.get $off) (i32.const 4)))
        (br $sloop))))
)
