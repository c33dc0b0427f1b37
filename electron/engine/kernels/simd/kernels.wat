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

  ;; C = A·B for row-major B [K, N] and C [M, N]; A's element (i, k) is at a + 4·(i·ars + k·aks)
  ;; (ars = K, aks = 1 for A [M, K]; ars = 1, aks = M for Aᵀ stored as [K, M]). No packing: B is
  ;; read in place, so a product with weights that change every step costs only its arithmetic.
  ;; K is taken in chunks of 128 rows of B (a chunk stays in cache while every block of C uses it);
  ;; per chunk: blocks of 4 rows × 8 columns (8 accumulators), then the rows left over (8 columns at
  ;; a time), then the columns left over (one at a time). Each C element is Σ over k in order, in
  ;; float32, accumulated in C across chunks (the same additions in the same order).
  (func (export "gemm")
    (param $a i32) (param $b i32) (param $c i32)
    (param $M i32) (param $K i32) (param $N i32) (param $ars i32) (param $aks i32)
    (local $i i32) (local $j i32) (local $k i32) (local $k0 i32) (local $kc i32)
    (local $M4 i32) (local $N8 i32) (local $rowB i32) (local $aks4 i32) (local $ars4 i32)
    (local $pa0 i32) (local $pa1 i32) (local $pa2 i32) (local $pa3 i32) (local $pb i32) (local $pc i32)
    (local $b0 v128) (local $b1 v128) (local $x v128)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local $s f32)
    (local.set $M4 (i32.and (local.get $M) (i32.const -4)))
    (local.set $N8 (i32.and (local.get $N) (i32.const -8)))
    (local.set $rowB (i32.shl (local.get $N) (i32.const 2)))
    (local.set $aks4 (i32.shl (local.get $aks) (i32.const 2)))
    (local.set $ars4 (i32.shl (local.get $ars) (i32.const 2)))
    (memory.fill (local.get $c) (i32.const 0) (i32.shl (i32.mul (local.get $M) (local.get $N)) (i32.const 2)))
    (local.set $k0 (i32.const 0))
    (block $chunks_done (loop $chunks
      (br_if $chunks_done (i32.ge_u (local.get $k0) (local.get $K)))
      (local.set $kc (i32.sub (local.get $K) (local.get $k0)))
      (if (i32.gt_u (local.get $kc) (i32.const 128)) (then (local.set $kc (i32.const 128))))
      ;; 4 × 8 blocks.
      (local.set $i (i32.const 0))
      (block $idone (loop $iloop
        (br_if $idone (i32.ge_u (local.get $i) (local.get $M4)))
        (local.set $j (i32.const 0))
        (block $jdone (loop $jloop
          (br_if $jdone (i32.ge_u (local.get $j) (local.get $N8)))
          (local.set $pc (i32.add (local.get $c)
            (i32.shl (i32.add (i32.mul (local.get $i) (local.get $N)) (local.get $j)) (i32.const 2))))
          (local.set $c00 (v128.load align=4 (local.get $pc)))
          (local.set $c01 (v128.load offset=16 align=4 (local.get $pc)))
          (local.set $c10 (v128.load align=4 (i32.add (local.get $pc) (local.get $rowB))))
          (local.set $c11 (v128.load offset=16 align=4 (i32.add (local.get $pc) (local.get $rowB))))
          (local.set $c20 (v128.load align=4 (i32.add (local.get $pc) (i32.shl (local.get $rowB) (i32.const 1)))))
          (local.set $c21 (v128.load offset=16 align=4 (i32.add (local.get $pc) (i32.shl (local.get $rowB) (i32.const 1)))))
          (local.set $c30 (v128.load align=4 (i32.add (local.get $pc) (i32.mul (local.get $rowB) (i32.const 3)))))
          (local.set $c31 (v128.load offset=16 align=4 (i32.add (local.get $pc) (i32.mul (local.get $rowB) (i32.const 3)))))
          (local.set $pa0 (i32.add (local.get $a) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $ars))
            (i32.mul (local.get $k0) (local.get $aks))) (i32.const 2))))
          (local.set $pa1 (i32.add (local.get $pa0) (local.get $ars4)))
          (local.set $pa2 (i32.add (local.get $pa1) (local.get $ars4)))
          (local.set $pa3 (i32.add (local.get $pa2) (local.get $ars4)))
          (local.set $pb (i32.add (local.get $b)
            (i32.shl (i32.add (i32.mul (local.get $k0) (local.get $N)) (local.get $j)) (i32.const 2))))
          (local.set $k (local.get $kc))
          (block $kdone (loop $kloop
            (br_if $kdone (i32.eqz (local.get $k)))
            (local.set $b0 (v128.load align=4 (local.get $pb)))
            (local.set $b1 (v128.load offset=16 align=4 (local.get $pb)))
            (local.set $x (f32x4.splat (f32.load (local.get $pa0))))
            (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $x) (local.get $b0))))
            (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $x) (local.get $b1))))
            (local.set $x (f32x4.splat (f32.load (local.get $pa1))))
            (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $x) (local.get $b0))))
            (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $x) (local.get $b1))))
            (local.set $x (f32x4.splat (f32.load (local.get $pa2))))
            (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $x) (local.get $b0))))
            (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $x) (local.get $b1))))
            (local.set $x (f32x4.splat (f32.load (local.get $pa3))))
            (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $x) (local.get $b0))))
            (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $x) (local.get $b1))))
            (local.set $pa0 (i32.add (local.get $pa0) (local.get $aks4)))
            (local.set $pa1 (i32.add (local.get $pa1) (local.get $aks4)))
            (local.set $pa2 (i32.add (local.get $pa2) (local.get $aks4)))
            (local.set $pa3 (i32.add (local.get $pa3) (local.get $aks4)))
            (local.set $pb (i32.add (local.get $pb) (local.get $rowB)))
            (local.set $k (i32.sub (local.get $k) (i32.const 1)))
            (br $kloop)))
          (v128.store align=4 (local.get $pc) (local.get $c00))
          (v128.store offset=16 align=4 (local.get $pc) (local.get $c01))
          (local.set $pc (i32.add (local.get $pc) (local.get $rowB)))
          (v128.store align=4 (local.get $pc) (local.get $c10))
          (v128.store offset=16 align=4 (local.get $pc) (local.get $c11))
          (local.set $pc (i32.add (local.get $pc) (local.get $rowB)))
          (v128.store align=4 (local.get $pc) (local.get $c20))
          (v128.store offset=16 align=4 (local.get $pc) (local.get $c21))
          (local.set $pc (i32.add (local.get $pc) (local.get $rowB)))
          (v128.store align=4 (local.get $pc) (local.get $c30))
          (v128.store offset=16 align=4 (local.get $pc) (local.get $c31))
          (local.set $j (i32.add (local.get $j) (i32.const 8)))
          (br $jloop)))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $iloop)))
      ;; Rows M4..M: one row × 8 columns at a time.
      (block $rdone (loop $rloop
        (br_if $rdone (i32.ge_u (local.get $i) (local.get $M)))
        (local.set $j (i32.const 0))
        (block $jdone2 (loop $jloop2
          (br_if $jdone2 (i32.ge_u (local.get $j) (local.get $N8)))
          (local.set $pc (i32.add (local.get $c)
            (i32.shl (i32.add (i32.mul (local.get $i) (local.get $N)) (local.get $j)) (i32.const 2))))
          (local.set $c00 (v128.load align=4 (local.get $pc)))
          (local.set $c01 (v128.load offset=16 align=4 (local.get $pc)))
          (local.set $pa0 (i32.add (local.get $a) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $ars))
            (i32.mul (local.get $k0) (local.get $aks))) (i32.const 2))))
          (local.set $pb (i32.add (local.get $b)
            (i32.shl (i32.add (i32.mul (local.get $k0) (local.get $N)) (local.get $j)) (i32.const 2))))
          (local.set $k (local.get $kc))
          (block $kdone2 (loop $kloop2
            (br_if $kdone2 (i32.eqz (local.get $k)))
            (local.set $x (f32x4.splat (f32.load (local.get $pa0))))
            (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $x) (v128.load align=4 (local.get $pb)))))
            (local.set $c01 (f32x4.add (local.get $c01)
              (f32x4.mul (local.get $x) (v128.load offset=16 align=4 (local.get $pb)))))
            (local.set $pa0 (i32.add (local.get $pa0) (local.get $aks4)))
            (local.set $pb (i32.add (local.get $pb) (local.get $rowB)))
            (local.set $k (i32.sub (local.get $k) (i32.const 1)))
            (br $kloop2)))
          (v128.store align=4 (local.get $pc) (local.get $c00))
          (v128.store offset=16 align=4 (local.get $pc) (local.get $c01))
          (local.set $j (i32.add (local.get $j) (i32.const 8)))
          (br $jloop2)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rloop)))
      ;; Columns N8..N of every row, one element at a time.
      (local.set $i (i32.const 0))
      (block $cdone (loop $cloop
        (br_if $cdone (i32.ge_u (local.get $i) (local.get $M)))
        (local.set $j (local.get $N8))
        (block $jdone3 (loop $jloop3
          (br_if $jdone3 (i32.ge_u (local.get $j) (local.get $N)))
          (local.set $pc (i32.add (local.get $c)
            (i32.shl (i32.add (i32.mul (local.get $i) (local.get $N)) (local.get $j)) (i32.const 2))))
          (local.set $s (f32.load (local.get $pc)))
          (local.set $pa0 (i32.add (local.get $a) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $ars))
            (i32.mul (local.get $k0) (local.get $aks))) (i32.const 2))))
          (local.set $pb (i32.add (local.get $b)
            (i32.shl (i32.add (i32.mul (local.get $k0) (local.get $N)) (local.get $j)) (i32.const 2))))
          (local.set $k (local.get $kc))
          (block $kdone3 (loop $kloop3
            (br_if $kdone3 (i32.eqz (local.get $k)))
            (local.set $s (f32.add (local.get $s) (f32.mul (f32.load (local.get $pa0)) (f32.load (local.get $pb)))))
            (local.set $pa0 (i32.add (local.get $pa0) (local.get $aks4)))
            (local.set $pb (i32.add (local.get $pb) (local.get $rowB)))
            (local.set $k (i32.sub (local.get $k) (i32.const 1)))
            (br $kloop3)))
          (f32.store (local.get $pc) (local.get $s))
          (local.set $j (i32.add (local.get $j) (i32.const 1)))
          (br $jloop3)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $cloop)))
      (local.set $k0 (i32.add (local.get $k0) (local.get $kc)))
      (br $chunks)))
  )
)
