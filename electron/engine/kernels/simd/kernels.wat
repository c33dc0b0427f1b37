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

  ;; gemm's four columns j..j+3 of every row for K rows k0..k0+kc of B (C accumulated in place):
  ;; four rows at a time, then one; lanes where mask is 0 keep C as it was.
  (func $cols4
    (param $a i32) (param $b i32) (param $c i32) (param $M i32) (param $N i32)
    (param $ars i32) (param $aks i32) (param $k0 i32) (param $kc i32) (param $j i32) (param $mask v128)
    (local $i i32) (local $k i32) (local $M4 i32) (local $rowB i32) (local $aks4 i32) (local $ars4 i32)
    (local $pa0 i32) (local $pa1 i32) (local $pa2 i32) (local $pa3 i32) (local $pb i32) (local $pc i32)
    (local $bv v128) (local $c0 v128) (local $c1 v128) (local $c2 v128) (local $c3 v128)
    (local $o0 v128) (local $o1 v128) (local $o2 v128) (local $o3 v128)
    (local.set $M4 (i32.and (local.get $M) (i32.const -4)))
    (local.set $rowB (i32.shl (local.get $N) (i32.const 2)))
    (local.set $aks4 (i32.shl (local.get $aks) (i32.const 2)))
    (local.set $ars4 (i32.shl (local.get $ars) (i32.const 2)))
    (block $idone (loop $iloop
      (br_if $idone (i32.ge_u (local.get $i) (local.get $M4)))
      (local.set $pc (i32.add (local.get $c)
        (i32.shl (i32.add (i32.mul (local.get $i) (local.get $N)) (local.get $j)) (i32.const 2))))
      (local.set $o0 (v128.load align=4 (local.get $pc)))
      (local.set $o1 (v128.load align=4 (i32.add (local.get $pc) (local.get $rowB))))
      (local.set $o2 (v128.load align=4 (i32.add (local.get $pc) (i32.shl (local.get $rowB) (i32.const 1)))))
      (local.set $o3 (v128.load align=4 (i32.add (local.get $pc) (i32.mul (local.get $rowB) (i32.const 3)))))
      (local.set $c0 (local.get $o0))
      (local.set $c1 (local.get $o1))
      (local.set $c2 (local.get $o2))
      (local.set $c3 (local.get $o3))
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
        (local.set $bv (v128.load align=4 (local.get $pb)))
        (local.set $c0 (f32x4.add (local.get $c0) (f32x4.mul (v128.load32_splat align=4 (local.get $pa0)) (local.get $bv))))
        (local.set $c1 (f32x4.add (local.get $c1) (f32x4.mul (v128.load32_splat align=4 (local.get $pa1)) (local.get $bv))))
        (local.set $c2 (f32x4.add (local.get $c2) (f32x4.mul (v128.load32_splat align=4 (local.get $pa2)) (local.get $bv))))
        (local.set $c3 (f32x4.add (local.get $c3) (f32x4.mul (v128.load32_splat align=4 (local.get $pa3)) (local.get $bv))))
        (local.set $pa0 (i32.add (local.get $pa0) (local.get $aks4)))
        (local.set $pa1 (i32.add (local.get $pa1) (local.get $aks4)))
        (local.set $pa2 (i32.add (local.get $pa2) (local.get $aks4)))
        (local.set $pa3 (i32.add (local.get $pa3) (local.get $aks4)))
        (local.set $pb (i32.add (local.get $pb) (local.get $rowB)))
        (local.set $k (i32.sub (local.get $k) (i32.const 1)))
        (br $kloop)))
      (v128.store align=4 (local.get $pc) (v128.bitselect (local.get $c0) (local.get $o0) (local.get $mask)))
      (local.set $pc (i32.add (local.get $pc) (local.get $rowB)))
      (v128.store align=4 (local.get $pc) (v128.bitselect (local.get $c1) (local.get $o1) (local.get $mask)))
      (local.set $pc (i32.add (local.get $pc) (local.get $rowB)))
      (v128.store align=4 (local.get $pc) (v128.bitselect (local.get $c2) (local.get $o2) (local.get $mask)))
      (local.set $pc (i32.add (local.get $pc) (local.get $rowB)))
      (v128.store align=4 (local.get $pc) (v128.bitselect (local.get $c3) (local.get $o3) (local.get $mask)))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br $iloop)))
    (block $rdone (loop $rloop
      (br_if $rdone (i32.ge_u (local.get $i) (local.get $M)))
      (local.set $pc (i32.add (local.get $c)
        (i32.shl (i32.add (i32.mul (local.get $i) (local.get $N)) (local.get $j)) (i32.const 2))))
      (local.set $o0 (v128.load align=4 (local.get $pc)))
      (local.set $c0 (local.get $o0))
      (local.set $pa0 (i32.add (local.get $a) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $ars))
        (i32.mul (local.get $k0) (local.get $aks))) (i32.const 2))))
      (local.set $pb (i32.add (local.get $b)
        (i32.shl (i32.add (i32.mul (local.get $k0) (local.get $N)) (local.get $j)) (i32.const 2))))
      (local.set $k (local.get $kc))
      (block $kdone2 (loop $kloop2
        (br_if $kdone2 (i32.eqz (local.get $k)))
        (local.set $c0 (f32x4.add (local.get $c0)
          (f32x4.mul (v128.load32_splat align=4 (local.get $pa0)) (v128.load align=4 (local.get $pb)))))
        (local.set $pa0 (i32.add (local.get $pa0) (local.get $aks4)))
        (local.set $pb (i32.add (local.get $pb) (local.get $rowB)))
        (local.set $k (i32.sub (local.get $k) (i32.const 1)))
        (br $kloop2)))
      (v128.store align=4 (local.get $pc) (v128.bitselect (local.get $c0) (local.get $o0) (local.get $mask)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $rloop))))

  ;; gemm's columns j..N of every row for K rows k0..k0+kc of B (C accumulated in place): four at a
  ;; time while four are left; then, when N ≥ 4, the last 1-3 as the four columns ending at N with
  ;; the lanes already done masked (kept as they are); below four columns in all, one element at a
  ;; time.
  (func $gemm_cols
    (param $a i32) (param $b i32) (param $c i32) (param $M i32) (param $N i32)
    (param $ars i32) (param $aks i32) (param $k0 i32) (param $kc i32) (param $j i32)
    (local $i i32) (local $k i32) (local $rowB i32) (local $aks4 i32) (local $pa0 i32) (local $pb i32)
    (local $pc i32) (local $s f32) (local $js i32)
    (local.set $rowB (i32.shl (local.get $N) (i32.const 2)))
    (local.set $aks4 (i32.shl (local.get $aks) (i32.const 2)))
    (if (i32.ge_u (i32.sub (local.get $N) (local.get $j)) (i32.const 4)) (then
      (call $cols4 (local.get $a) (local.get $b) (local.get $c) (local.get $M) (local.get $N)
        (local.get $ars) (local.get $aks) (local.get $k0) (local.get $kc) (local.get $j)
        (v128.const i32x4 -1 -1 -1 -1))
      (local.set $j (i32.add (local.get $j) (i32.const 4)))))
    (if (i32.and (i32.lt_u (local.get $j) (local.get $N)) (i32.ge_u (local.get $N) (i32.const 4))) (then
      (call $cols4 (local.get $a) (local.get $b) (local.get $c) (local.get $M) (local.get $N)
        (local.get $ars) (local.get $aks) (local.get $k0) (local.get $kc) (i32.sub (local.get $N) (i32.const 4))
        ;; Lane l is column N − 4 + l: computed when that is j or after.
        (i32x4.ge_s
          (i32x4.add (i32x4.splat (i32.sub (local.get $N) (i32.const 4))) (v128.const i32x4 0 1 2 3))
          (i32x4.splat (local.get $j))))
      (local.set $j (local.get $N))))
    (local.set $js (local.get $j))
    (local.set $i (i32.const 0))
    (block $cdone (loop $cloop
      (br_if $cdone (i32.ge_u (local.get $i) (local.get $M)))
      (local.set $j (local.get $js))
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
      (br $cloop))))

  ;; C = A·B for row-major B [K, N] and C [M, N]; A's element (i, k) is at a + 4·(i·ars + k·aks)
  ;; (ars = K, aks = 1 for A [M, K]; ars = 1, aks = M for Aᵀ stored as [K, M]). No packing: B is
  ;; read in place, so a product with weights that change every step costs only its arithmetic
  ;; (gemm_packed below is faster where the caller can give it a scratch buffer).
  ;; K is taken in chunks of 128 rows of B (a chunk stays in cache while every block of C uses it);
  ;; per chunk: blocks of 4 rows × 8 columns (8 accumulators; A's values splat by v128.load32_splat,
  ;; one vbroadcastss on x86-64), then the rows left over (8 columns at a time), then the columns
  ;; left over (gemm_cols). Each C element is Σ over k in order, in float32, accumulated in C across
  ;; chunks (the same additions in the same order).
  (func $gemm (export "gemm")
    (param $a i32) (param $b i32) (param $c i32)
    (param $M i32) (param $K i32) (param $N i32) (param $ars i32) (param $aks i32)
    (local $i i32) (local $j i32) (local $k i32) (local $k0 i32) (local $kc i32)
    (local $M4 i32) (local $N8 i32) (local $rowB i32) (local $aks4 i32) (local $ars4 i32)
    (local $pa0 i32) (local $pa1 i32) (local $pa2 i32) (local $pa3 i32) (local $pb i32) (local $pc i32)
    (local $b0 v128) (local $b1 v128) (local $x v128)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
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
            (local.set $x (v128.load32_splat align=4 (local.get $pa0)))
            (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $x) (local.get $b0))))
            (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $x) (local.get $b1))))
            (local.set $x (v128.load32_splat align=4 (local.get $pa1)))
            (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $x) (local.get $b0))))
            (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $x) (local.get $b1))))
            (local.set $x (v128.load32_splat align=4 (local.get $pa2)))
            (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $x) (local.get $b0))))
            (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $x) (local.get $b1))))
            (local.set $x (v128.load32_splat align=4 (local.get $pa3)))
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
            (local.set $x (v128.load32_splat align=4 (local.get $pa0)))
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
      ;; Columns N8..N.
      (call $gemm_cols (local.get $a) (local.get $b) (local.get $c) (local.get $M) (local.get $N)
        (local.get $ars) (local.get $aks) (local.get $k0) (local.get $kc) (local.get $N8))
      (local.set $k0 (i32.add (local.get $k0) (local.get $kc)))
      (br $chunks)))
  )

  ;; ---------------------------------------------------------------------------------------------
  ;; gemm_packed and its helpers: the same products as gemm with B's columns copied first into
  ;; panels that lie contiguously in the scratch w (one panel stays in L1 cache while every row
  ;; block of A uses it), and 2 rows × 16 columns per block where 16 columns are left: one
  ;; v128.load32_splat of A for four products, where gemm's 4 × 8 blocks do one for two (with no FMA
  ;; in WebAssembly SIMD a product costs a mul and an add; the splats compete with them for the same
  ;; execution ports). Each C element is still Σ over k in order, in float32: gemm's result exactly.
  ;; ---------------------------------------------------------------------------------------------

  ;; Copies B's rows 0..kc (b points at row 0, rows N floats apart), columns 0..N8, into panels at w:
  ;; columns j..j+16 (j < N16) at w + 4·j·kc, row k at + 64·k; then, when N8 − N16 = 8, columns
  ;; N16..N8 at w + 4·N16·kc, row k at + 32·k. Needs kc ≥ 1.
  (func $pack_panels
    (param $b i32) (param $w i32) (param $kc i32) (param $N i32) (param $N16 i32) (param $N8 i32)
    (local $k i32) (local $j i32) (local $src i32) (local $dst i32) (local $step i32) (local $tail i32)
    (local.set $step (i32.shl (local.get $kc) (i32.const 6)))
    (local.set $tail (i32.add (local.get $w) (i32.shl (i32.mul (local.get $N16) (local.get $kc)) (i32.const 2))))
    (loop $rows
      (local.set $src (local.get $b))
      (local.set $dst (i32.add (local.get $w) (i32.shl (local.get $k) (i32.const 6))))
      (local.set $j (i32.const 0))
      (block $done16 (loop $cols16
        (br_if $done16 (i32.ge_u (local.get $j) (local.get $N16)))
        (v128.store align=4 (local.get $dst) (v128.load align=4 (local.get $src)))
        (v128.store offset=16 align=4 (local.get $dst) (v128.load offset=16 align=4 (local.get $src)))
        (v128.store offset=32 align=4 (local.get $dst) (v128.load offset=32 align=4 (local.get $src)))
        (v128.store offset=48 align=4 (local.get $dst) (v128.load offset=48 align=4 (local.get $src)))
        (local.set $src (i32.add (local.get $src) (i32.const 64)))
        (local.set $dst (i32.add (local.get $dst) (local.get $step)))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $cols16)))
      (if (i32.lt_u (local.get $j) (local.get $N8)) (then
        (local.set $dst (i32.add (local.get $tail) (i32.shl (local.get $k) (i32.const 5))))
        (v128.store align=4 (local.get $dst) (v128.load align=4 (local.get $src)))
        (v128.store offset=16 align=4 (local.get $dst) (v128.load offset=16 align=4 (local.get $src)))))
      (local.set $b (i32.add (local.get $b) (i32.shl (local.get $N) (i32.const 2))))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br_if $rows (i32.lt_u (local.get $k) (local.get $kc)))))

  ;; C's 16 columns at pc (rows rowB bytes apart) += A's kc columns at pa (rows ars4 bytes apart,
  ;; columns aks4) times the 16-wide panel at pw (rows 64 bytes apart, ending at pend), for M rows:
  ;; two at a time (8 accumulators), then the last when M is odd.
  (func $panel16
    (param $pa i32) (param $pc i32) (param $pw i32) (param $pend i32) (param $M i32)
    (param $rowB i32) (param $ars4 i32) (param $aks4 i32)
    (local $pa0 i32) (local $pa1 i32) (local $pb i32)
    (local $b0 v128) (local $b1 v128) (local $b2 v128) (local $b3 v128) (local $x v128)
    (local $c0 v128) (local $c1 v128) (local $c2 v128) (local $c3 v128)
    (local $d0 v128) (local $d1 v128) (local $d2 v128) (local $d3 v128)
    (block $idone (loop $iloop
      (br_if $idone (i32.lt_u (local.get $M) (i32.const 2)))
      (local.set $c0 (v128.load align=4 (local.get $pc)))
      (local.set $c1 (v128.load offset=16 align=4 (local.get $pc)))
      (local.set $c2 (v128.load offset=32 align=4 (local.get $pc)))
      (local.set $c3 (v128.load offset=48 align=4 (local.get $pc)))
      (local.set $d0 (v128.load align=4 (i32.add (local.get $pc) (local.get $rowB))))
      (local.set $d1 (v128.load offset=16 align=4 (i32.add (local.get $pc) (local.get $rowB))))
      (local.set $d2 (v128.load offset=32 align=4 (i32.add (local.get $pc) (local.get $rowB))))
      (local.set $d3 (v128.load offset=48 align=4 (i32.add (local.get $pc) (local.get $rowB))))
      (local.set $pa0 (local.get $pa))
      (local.set $pa1 (i32.add (local.get $pa) (local.get $ars4)))
      (local.set $pb (local.get $pw))
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
        (local.set $pa0 (i32.add (local.get $pa0) (local.get $aks4)))
        (local.set $pa1 (i32.add (local.get $pa1) (local.get $aks4)))
        (local.set $pb (i32.add (local.get $pb) (i32.const 64)))
        (br_if $kloop (i32.ne (local.get $pb) (local.get $pend))))
      (v128.store align=4 (local.get $pc) (local.get $c0))
      (v128.store offset=16 align=4 (local.get $pc) (local.get $c1))
      (v128.store offset=32 align=4 (local.get $pc) (local.get $c2))
      (v128.store offset=48 align=4 (local.get $pc) (local.get $c3))
      (local.set $pc (i32.add (local.get $pc) (local.get $rowB)))
      (v128.store align=4 (local.get $pc) (local.get $d0))
      (v128.store offset=16 align=4 (local.get $pc) (local.get $d1))
      (v128.store offset=32 align=4 (local.get $pc) (local.get $d2))
      (v128.store offset=48 align=4 (local.get $pc) (local.get $d3))
      (local.set $pc (i32.add (local.get $pc) (local.get $rowB)))
      (local.set $pa (i32.add (local.get $pa) (i32.shl (local.get $ars4) (i32.const 1))))
      (local.set $M (i32.sub (local.get $M) (i32.const 2)))
      (br $iloop)))
    (if (local.get $M) (then
      (local.set $c0 (v128.load align=4 (local.get $pc)))
      (local.set $c1 (v128.load offset=16 align=4 (local.get $pc)))
      (local.set $c2 (v128.load offset=32 align=4 (local.get $pc)))
      (local.set $c3 (v128.load offset=48 align=4 (local.get $pc)))
      (local.set $pb (local.get $pw))
      (loop $kloop1
        (local.set $x (v128.load32_splat align=4 (local.get $pa)))
        (local.set $c0 (f32x4.add (local.get $c0) (f32x4.mul (local.get $x) (v128.load align=4 (local.get $pb)))))
        (local.set $c1 (f32x4.add (local.get $c1) (f32x4.mul (local.get $x) (v128.load offset=16 align=4 (local.get $pb)))))
        (local.set $c2 (f32x4.add (local.get $c2) (f32x4.mul (local.get $x) (v128.load offset=32 align=4 (local.get $pb)))))
        (local.set $c3 (f32x4.add (local.get $c3) (f32x4.mul (local.get $x) (v128.load offset=48 align=4 (local.get $pb)))))
        (local.set $pa (i32.add (local.get $pa) (local.get $aks4)))
        (local.set $pb (i32.add (local.get $pb) (i32.const 64)))
        (br_if $kloop1 (i32.ne (local.get $pb) (local.get $pend))))
      (v128.store align=4 (local.get $pc) (local.get $c0))
      (v128.store offset=16 align=4 (local.get $pc) (local.get $c1))
      (v128.store offset=32 align=4 (local.get $pc) (local.get $c2))
      (v128.store offset=48 align=4 (local.get $pc) (local.get $c3)))))

  ;; C's columns j..j+8 of every row += A's columns k0..k0+kc times the 8-wide panel at pw (rows 32
  ;; bytes apart): four rows at a time (8 accumulators), then one.
  (func $panel8
    (param $a i32) (param $c i32) (param $pw i32) (param $M i32) (param $N i32)
    (param $ars i32) (param $aks i32) (param $k0 i32) (param $kc i32) (param $j i32)
    (local $i i32) (local $M4 i32) (local $rowB i32) (local $aks4 i32) (local $ars4 i32)
    (local $pa0 i32) (local $pa1 i32) (local $pa2 i32) (local $pa3 i32) (local $pb i32) (local $pc i32)
    (local $pend i32) (local $b0 v128) (local $b1 v128) (local $x v128)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local.set $M4 (i32.and (local.get $M) (i32.const -4)))
    (local.set $rowB (i32.shl (local.get $N) (i32.const 2)))
    (local.set $aks4 (i32.shl (local.get $aks) (i32.const 2)))
    (local.set $ars4 (i32.shl (local.get $ars) (i32.const 2)))
    (local.set $pend (i32.add (local.get $pw) (i32.shl (local.get $kc) (i32.const 5))))
    (block $idone (loop $iloop
      (br_if $idone (i32.ge_u (local.get $i) (local.get $M4)))
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
      (local.set $pb (local.get $pw))
      (loop $kloop
        (local.set $b0 (v128.load align=4 (local.get $pb)))
        (local.set $b1 (v128.load offset=16 align=4 (local.get $pb)))
        (local.set $x (v128.load32_splat align=4 (local.get $pa0)))
        (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $x) (local.get $b0))))
        (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $x) (local.get $b1))))
        (local.set $x (v128.load32_splat align=4 (local.get $pa1)))
        (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $x) (local.get $b0))))
        (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $x) (local.get $b1))))
        (local.set $x (v128.load32_splat align=4 (local.get $pa2)))
        (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $x) (local.get $b0))))
        (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $x) (local.get $b1))))
        (local.set $x (v128.load32_splat align=4 (local.get $pa3)))
        (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $x) (local.get $b0))))
        (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $x) (local.get $b1))))
        (local.set $pa0 (i32.add (local.get $pa0) (local.get $aks4)))
        (local.set $pa1 (i32.add (local.get $pa1) (local.get $aks4)))
        (local.set $pa2 (i32.add (local.get $pa2) (local.get $aks4)))
        (local.set $pa3 (i32.add (local.get $pa3) (local.get $aks4)))
        (local.set $pb (i32.add (local.get $pb) (i32.const 32)))
        (br_if $kloop (i32.ne (local.get $pb) (local.get $pend))))
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
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br $iloop)))
    (block $rdone (loop $rloop
      (br_if $rdone (i32.ge_u (local.get $i) (local.get $M)))
      (local.set $pc (i32.add (local.get $c)
        (i32.shl (i32.add (i32.mul (local.get $i) (local.get $N)) (local.get $j)) (i32.const 2))))
      (local.set $c00 (v128.load align=4 (local.get $pc)))
      (local.set $c01 (v128.load offset=16 align=4 (local.get $pc)))
      (local.set $pa0 (i32.add (local.get $a) (i32.shl (i32.add (i32.mul (local.get $i) (local.get $ars))
        (i32.mul (local.get $k0) (local.get $aks))) (i32.const 2))))
      (local.set $pb (local.get $pw))
      (loop $kloop1
        (local.set $x (v128.load32_splat align=4 (local.get $pa0)))
        (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $x) (v128.load align=4 (local.get $pb)))))
        (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $x) (v128.load offset=16 align=4 (local.get $pb)))))
        (local.set $pa0 (i32.add (local.get $pa0) (local.get $aks4)))
        (local.set $pb (i32.add (local.get $pb) (i32.const 32)))
        (br_if $kloop1 (i32.ne (local.get $pb) (local.get $pend))))
      (v128.store align=4 (local.get $pc) (local.get $c00))
      (v128.store offset=16 align=4 (local.get $pc) (local.get $c01))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $rloop))))

  ;; C = A·B exactly as gemm computes it (same arguments), with a scratch w of 4·min(K, KC)·N bytes
  ;; (KC = 256): per chunk of K, B's columns 0..N8 are packed into panels (pack_panels), C's columns
  ;; 0..N16 done 16 at a time (panel16), N16..N8 eight (panel8), the rest as gemm does (gemm_cols).
  (func $gemm_packed (export "gemm_packed")
    (param $a i32) (param $b i32) (param $c i32)
    (param $M i32) (param $K i32) (param $N i32) (param $ars i32) (param $aks i32) (param $w i32)
    (local $j i32) (local $k0 i32) (local $kc i32) (local $N16 i32) (local $N8 i32) (local $pa i32) (local $pw i32)
    (local $i0 i32) (local $mc i32)
    (local.set $N16 (i32.and (local.get $N) (i32.const -16)))
    (local.set $N8 (i32.and (local.get $N) (i32.const -8)))
    (memory.fill (local.get $c) (i32.const 0) (i32.shl (i32.mul (local.get $M) (local.get $N)) (i32.const 2)))
    (block $chunks_done (loop $chunks
      (br_if $chunks_done (i32.ge_u (local.get $k0) (local.get $K)))
      (local.set $kc (i32.sub (local.get $K) (local.get $k0)))
      (if (i32.gt_u (local.get $kc) (i32.const 256)) (then (local.set $kc (i32.const 256))))
      (if (local.get $N8) (then
        (call $pack_panels (i32.add (local.get $b) (i32.shl (i32.mul (local.get $k0) (local.get $N)) (i32.const 2)))
          (local.get $w) (local.get $kc) (local.get $N) (local.get $N16) (local.get $N8))))
      ;; A's element (0, k0).
      (local.set $pa (i32.add (local.get $a) (i32.shl (i32.mul (local.get $k0) (local.get $aks)) (i32.const 2))))
      ;; Blocks of 64 rows of A (at most 64 KB of this chunk), every 16-wide panel over each block
      ;; before the next: a block stays in cache across the panels (Aᵀ of the MLP's first layer,
      ;; 800 KB, was read again from memory for every panel). Each C element's sum is unchanged.
      (local.set $i0 (i32.const 0))
      (block $idone (loop $iblocks
        (br_if $idone (i32.ge_u (local.get $i0) (local.get $M)))
        (local.set $mc (i32.sub (local.get $M) (local.get $i0)))
        (if (i32.gt_u (local.get $mc) (i32.const 64)) (then (local.set $mc (i32.const 64))))
        (local.set $j (i32.const 0))
        (block $jdone (loop $jloop
          (br_if $jdone (i32.ge_u (local.get $j) (local.get $N16)))
          (local.set $pw (i32.add (local.get $w) (i32.shl (i32.mul (local.get $j) (local.get $kc)) (i32.const 2))))
          (call $panel16
            (i32.add (local.get $pa) (i32.shl (i32.mul (local.get $i0) (local.get $ars)) (i32.const 2)))
            (i32.add (local.get $c) (i32.shl (i32.add (i32.mul (local.get $i0) (local.get $N)) (local.get $j)) (i32.const 2)))
            (local.get $pw) (i32.add (local.get $pw) (i32.shl (local.get $kc) (i32.const 6))) (local.get $mc)
            (i32.shl (local.get $N) (i32.const 2)) (i32.shl (local.get $ars) (i32.const 2)) (i32.shl (local.get $aks) (i32.const 2)))
          (local.set $j (i32.add (local.get $j) (i32.const 16)))
          (br $jloop)))
        (local.set $i0 (i32.add (local.get $i0) (local.get $mc)))
        (br $iblocks)))
      (local.set $j (local.get $N16))
      (if (i32.lt_u (local.get $j) (local.get $N8)) (then
        (call $panel8 (local.get $a) (local.get $c)
          (i32.add (local.get $w) (i32.shl (i32.mul (local.get $j) (local.get $kc)) (i32.const 2)))
          (local.get $M) (local.get $N) (local.get $ars) (local.get $aks) (local.get $k0) (local.get $kc) (local.get $j))))
      (call $gemm_cols (local.get $a) (local.get $b) (local.get $c) (local.get $M) (local.get $N)
        (local.get $ars) (local.get $aks) (local.get $k0) (local.get $kc) (local.get $N8))
      (local.set $k0 (i32.add (local.get $k0) (local.get $kc)))
      (br $chunks)))
  )

  ;; σ(x) = 1 / (1 + e^−x) for four floats. e^y as in Cephes's expf: y clamped to [−87, 88] (so
  ;; 2^n stays a normal float), y = n·ln2 + r with n = nearest(y·log2 e) and ln2 in two parts,
  ;; e^r = 1 + r + r²·P(r) with Cephes's degree-5 minimax P (|r| ≤ ln2/2, within 2 ulp), 2^n built in
  ;; the exponent bits. NaN stays NaN (pmin/pmax keep it, P(NaN) is NaN).
  (func $sigmoid (param $x v128) (result v128)
    (local $n v128) (local $r v128) (local $p v128)
    (local.set $x
      (f32x4.pmin
        (f32x4.pmax (f32x4.neg (local.get $x)) (v128.const f32x4 -87 -87 -87 -87))
        (v128.const f32x4 88 88 88 88)))
    (local.set $n (f32x4.nearest
      (f32x4.mul (local.get $x) (v128.const f32x4 1.44269504088896341 1.44269504088896341 1.44269504088896341 1.44269504088896341))))
    (local.set $r
      (f32x4.sub
        (f32x4.sub (local.get $x) (f32x4.mul (local.get $n) (v128.const f32x4 0.693359375 0.693359375 0.693359375 0.693359375)))
        (f32x4.mul (local.get $n) (v128.const f32x4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4))))
    (local.set $p (v128.const f32x4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r))
      (v128.const f32x4 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r))
      (v128.const f32x4 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r))
      (v128.const f32x4 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r))
      (v128.const f32x4 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1)))
    (local.set $p (f32x4.add (f32x4.mul (local.get $p) (local.get $r))
      (v128.const f32x4 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1)))
    (local.set $p
      (f32x4.add
        (f32x4.add (f32x4.mul (f32x4.mul (local.get $p) (local.get $r)) (local.get $r)) (local.get $r))
        (v128.const f32x4 1 1 1 1)))
    (f32x4.div
      (v128.const f32x4 1 1 1 1)
      (f32x4.add
        (v128.const f32x4 1 1 1 1)
        (f32x4.mul (local.get $p)
          (i32x4.shl (i32x4.add (i32x4.trunc_sat_f32x4_s (local.get $n)) (v128.const i32x4 127 127 127 127))
            (i32.const 23))))))

  ;; tanh(x) = 2·σ(2x) − 1.
  (func $tanh (param $x v128) (result v128)
    (f32x4.sub
      (f32x4.mul (call $sigmoid (f32x4.add (local.get $x) (local.get $x))) (v128.const f32x4 2 2 2 2))
      (v128.const f32x4 1 1 1 1)))

  ;; ---------------------------------------------------------------------------------------------
  ;; The fused recurrences' products: per step the same weights (W, R, or their transposes) times a
  ;; few rows, ~100 times a sequence. When the weights' width N is a multiple of 16 they are packed
  ;; once per sequence into 16-column panels (rnn_pack) and each step's product is done on the panels
  ;; two rows × 16 columns at a time (rnn_gemm: one v128.load32_splat of A for four products, the
  ;; panel's rows contiguous); any other width goes to gemm. Both give each C element as Σ over k in
  ;; order from 0, in float32: the same result, bit for bit.
  ;; ---------------------------------------------------------------------------------------------

  ;; Packs B [K, N] (row-major) into 16-column panels at w when N is a multiple of 16 (else nothing):
  ;; panel p (columns 16p .. 16p + 16) at w + 64·p·K, its row k at + 64·k.
  (func $rnn_pack (param $b i32) (param $w i32) (param $K i32) (param $N i32)
    (local $p i32) (local $k i32) (local $src i32) (local $P i32)
    (if (i32.and (local.get $N) (i32.const 15)) (then (return)))
    (local.set $P (i32.shr_u (local.get $N) (i32.const 4)))
    (block $pdone (loop $ploop
      (br_if $pdone (i32.ge_u (local.get $p) (local.get $P)))
      (local.set $src (i32.add (local.get $b) (i32.shl (local.get $p) (i32.const 6))))
      (local.set $k (i32.const 0))
      (block $kdone (loop $kloop
        (br_if $kdone (i32.ge_u (local.get $k) (local.get $K)))
        (v128.store align=4 (local.get $w) (v128.load align=4 (local.get $src)))
        (v128.store offset=16 align=4 (local.get $w) (v128.load offset=16 align=4 (local.get $src)))
        (v128.store offset=32 align=4 (local.get $w) (v128.load offset=32 align=4 (local.get $src)))
        (v128.store offset=48 align=4 (local.get $w) (v128.load offset=48 align=4 (local.get $src)))
        (local.set $w (i32.add (local.get $w) (i32.const 64)))
        (local.set $src (i32.add (local.get $src) (i32.shl (local.get $N) (i32.const 2))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $kloop)))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (br $ploop))))

  ;; C [M, N] = A·B: on B's panels at w (packed by rnn_pack) when N is a multiple of 16, else by gemm
  ;; on B itself. A's row i at a + 4·i·ars, its K elements consecutive. K ≥ 1.
  (func $rnn_mm (param $a i32) (param $b i32) (param $w i32) (param $c i32)
    (param $M i32) (param $K i32) (param $N i32) (param $ars i32)
    (local $p i32) (local $P i32) (local $i i32) (local $pw i32) (local $pend i32)
    (local $pa0 i32) (local $pa1 i32) (local $pb i32) (local $pc i32) (local $rowB i32) (local $ars4 i32)
    (local $b0 v128) (local $b1 v128) (local $b2 v128) (local $b3 v128) (local $x v128)
    (local $c0 v128) (local $c1 v128) (local $c2 v128) (local $c3 v128)
    (local $d0 v128) (local $d1 v128) (local $d2 v128) (local $d3 v128)
    (if (i32.and (local.get $N) (i32.const 15)) (then
      (call $gemm (local.get $a) (local.get $b) (local.get $c) (local.get $M) (local.get $K) (local.get $N)
        (local.get $ars) (i32.const 1))
      (return)))
    (local.set $P (i32.shr_u (local.get $N) (i32.const 4)))
    (local.set $rowB (i32.shl (local.get $N) (i32.const 2)))
    (local.set $ars4 (i32.shl (local.get $ars) (i32.const 2)))
    (block $pdone (loop $ploop
      (br_if $pdone (i32.ge_u (local.get $p) (local.get $P)))
      (local.set $pw (i32.add (local.get $w) (i32.shl (i32.mul (local.get $p) (local.get $K)) (i32.const 6))))
      (local.set $pend (i32.add (local.get $pw) (i32.shl (local.get $K) (i32.const 6))))
      (local.set $i (i32.const 0))
      ;; Two rows at a time.
      (block $idone (loop $iloop
        (br_if $idone (i32.gt_u (i32.add (local.get $i) (i32.const 2)) (local.get $M)))
        (local.set $c0 (v128.const i32x4 0 0 0 0))
        (local.set $c1 (v128.const i32x4 0 0 0 0))
        (local.set $c2 (v128.const i32x4 0 0 0 0))
        (local.set $c3 (v128.const i32x4 0 0 0 0))
        (local.set $d0 (v128.const i32x4 0 0 0 0))
        (local.set $d1 (v128.const i32x4 0 0 0 0))
        (local.set $d2 (v128.const i32x4 0 0 0 0))
        (local.set $d3 (v128.const i32x4 0 0 0 0))
        (local.set $pa0 (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $ars4))))
        (local.set $pa1 (i32.add (local.get $pa0) (local.get $ars4)))
        (local.set $pb (local.get $pw))
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
          (br_if $kloop (i32.ne (local.get $pb) (local.get $pend))))
        (local.set $pc (i32.add (local.get $c)
          (i32.shl (i32.add (i32.mul (local.get $i) (local.get $N)) (i32.shl (local.get $p) (i32.const 4))) (i32.const 2))))
        (v128.store align=4 (local.get $pc) (local.get $c0))
        (v128.store offset=16 align=4 (local.get $pc) (local.get $c1))
        (v128.store offset=32 align=4 (local.get $pc) (local.get $c2))
        (v128.store offset=48 align=4 (local.get $pc) (local.get $c3))
        (local.set $pc (i32.add (local.get $pc) (local.get $rowB)))
        (v128.store align=4 (local.get $pc) (local.get $d0))
        (v128.store offset=16 align=4 (local.get $pc) (local.get $d1))
        (v128.store offset=32 align=4 (local.get $pc) (local.get $d2))
        (v128.store offset=48 align=4 (local.get $pc) (local.get $d3))
        (local.set $i (i32.add (local.get $i) (i32.const 2)))
        (br $iloop)))
      ;; The last row when M is odd.
      (if (i32.lt_u (local.get $i) (local.get $M)) (then
        (local.set $c0 (v128.const i32x4 0 0 0 0))
        (local.set $c1 (v128.const i32x4 0 0 0 0))
        (local.set $c2 (v128.const i32x4 0 0 0 0))
        (local.set $c3 (v128.const i32x4 0 0 0 0))
        (local.set $pa0 (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $ars4))))
        (local.set $pb (local.get $pw))
        (loop $kloop1
          (local.set $x (v128.load32_splat align=4 (local.get $pa0)))
          (local.set $c0 (f32x4.add (local.get $c0) (f32x4.mul (local.get $x) (v128.load align=4 (local.get $pb)))))
          (local.set $c1 (f32x4.add (local.get $c1) (f32x4.mul (local.get $x) (v128.load offset=16 align=4 (local.get $pb)))))
          (local.set $c2 (f32x4.add (local.get $c2) (f32x4.mul (local.get $x) (v128.load offset=32 align=4 (local.get $pb)))))
          (local.set $c3 (f32x4.add (local.get $c3) (f32x4.mul (local.get $x) (v128.load offset=48 align=4 (local.get $pb)))))
          (local.set $pa0 (i32.add (local.get $pa0) (i32.const 4)))
          (local.set $pb (i32.add (local.get $pb) (i32.const 64)))
          (br_if $kloop1 (i32.ne (local.get $pb) (local.get $pend))))
        (local.set $pc (i32.add (local.get $c)
          (i32.shl (i32.add (i32.mul (local.get $i) (local.get $N)) (i32.shl (local.get $p) (i32.const 4))) (i32.const 2))))
        (v128.store align=4 (local.get $pc) (local.get $c0))
        (v128.store offset=16 align=4 (local.get $pc) (local.get $c1))
        (v128.store offset=32 align=4 (local.get $pc) (local.get $c2))
        (v128.store offset=48 align=4 (local.get $pc) (local.get $c3))))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (br $ploop))))

  ;; The input side of one step of a fused recurrence: xw [B, G] = x rows (n, t) [D] (rows T·D
  ;; apart in x [B, T, D]) times W [D, G] (its panels at pW, rnn_mm), plus b [G] on every row (four at a time, then
  ;; one): the same sums as one product x·W + b over all steps, done per step in a buffer that stays
  ;; in cache.
  (func $rnn_xw (param $x i32) (param $W i32) (param $pW i32) (param $b i32) (param $xw i32)
    (param $B i32) (param $T i32) (param $D i32) (param $G i32) (param $t i32)
    (local $n i32) (local $j i32) (local $p i32) (local $G4 i32)
    (call $rnn_mm
      (i32.add (local.get $x) (i32.shl (i32.mul (local.get $t) (local.get $D)) (i32.const 2)))
      (local.get $W) (local.get $pW) (local.get $xw) (local.get $B) (local.get $D) (local.get $G)
      (i32.mul (local.get $T) (local.get $D)))
    (local.set $G4 (i32.and (local.get $G) (i32.const -4)))
    (block $ndone (loop $nloop
      (br_if $ndone (i32.ge_u (local.get $n) (local.get $B)))
      (local.set $p (i32.add (local.get $xw) (i32.shl (i32.mul (local.get $n) (local.get $G)) (i32.const 2))))
      (local.set $j (i32.const 0))
      (block $vdone (loop $vloop
        (br_if $vdone (i32.ge_u (local.get $j) (local.get $G4)))
        (v128.store align=4 (i32.add (local.get $p) (i32.shl (local.get $j) (i32.const 2)))
          (f32x4.add
            (v128.load align=4 (i32.add (local.get $p) (i32.shl (local.get $j) (i32.const 2))))
            (v128.load align=4 (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))))))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $vloop)))
      (block $sdone (loop $sloop
        (br_if $sdone (i32.ge_u (local.get $j) (local.get $G)))
        (f32.store (i32.add (local.get $p) (i32.shl (local.get $j) (i32.const 2)))
          (f32.add
            (f32.load (i32.add (local.get $p) (i32.shl (local.get $j) (i32.const 2))))
            (f32.load (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $sloop)))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $nloop))))

  ;; Keras's LSTM over a whole sequence (gates i, f, c, o; recurrent activation σ, activation tanh):
  ;;   z = x·W + b + h·R;  i, f, o = σ(z_i, z_f, z_o);  g = tanh(z_c)
  ;;   c = f·c₋₁ + i·g;  h = o·tanh(c)
  ;; x [B, T, D], W [D, 4U], b [4U], R [U, 4U]; scratch xw [B, 4U] (x·W of the step) and hr [B, 4U]
  ;; (h·R of the step): per step z = (x·W + b) + h·R, the two products by gemm straight on x's and
  ;; the saved h's rows (row strides T·D and T·U), so no [B·T, 4U] buffer of inputs is made or
  ;; streamed through. Saved for the backward pass: h [B, T, U] (the output) and, time-major (row
  ;; t·B + n: the backward pass reads a step's rows together), the activated gates (4U), c and
  ;; tanh(c) (U each). Columns go four at a time; the last four columns of a row are done as
  ;; one overlapping group when U is not a multiple of 4 (each column's result depends only on the
  ;; previous step, so doing one twice writes the same values). Needs U ≥ 4.
  (func (export "lstm_forward")
    (param $x i32) (param $W i32) (param $bias i32) (param $R i32) (param $xw i32) (param $hr i32)
    (param $pack i32) (param $gates i32) (param $cell i32) (param $tanhc i32) (param $hidden i32)
    (param $B i32) (param $T i32) (param $D i32) (param $U i32)
    (local $t i32) (local $n i32) (local $j i32) (local $o i32) (local $row i32)
    (local $U4 i32) (local $G4 i32) (local $pz i32) (local $ph i32) (local $pg i32) (local $ps i32)
    (local $pR i32) (local $pc i32) (local $BU4 i32)
    (local $i v128) (local $f v128) (local $g v128) (local $c v128) (local $tc v128)
    (local.set $U4 (i32.shl (local.get $U) (i32.const 2)))
    (local.set $G4 (i32.shl (local.get $U) (i32.const 4)))
    (local.set $BU4 (i32.mul (local.get $B) (local.get $U4)))
    ;; W's panels at pack, R's after them (rnn_pack: when 4U is a multiple of 16).
    (local.set $pR (i32.add (local.get $pack) (i32.mul (local.get $D) (local.get $G4))))
    (call $rnn_pack (local.get $W) (local.get $pack) (local.get $D) (i32.shl (local.get $U) (i32.const 2)))
    (call $rnn_pack (local.get $R) (local.get $pR) (local.get $U) (i32.shl (local.get $U) (i32.const 2)))
    (block $tdone (loop $tloop
      (br_if $tdone (i32.ge_u (local.get $t) (local.get $T)))
      ;; x·W of the step (the bias is added in the pass below: (x·W + b) + h·R as $rnn_xw's order).
      (call $rnn_mm
        (i32.add (local.get $x) (i32.shl (i32.mul (local.get $t) (local.get $D)) (i32.const 2)))
        (local.get $W) (local.get $pack) (local.get $xw) (local.get $B) (local.get $D) (i32.shl (local.get $U) (i32.const 2))
        (i32.mul (local.get $T) (local.get $D)))
      (if (i32.eqz (local.get $t))
        (then (memory.fill (local.get $hr) (i32.const 0) (i32.mul (local.get $B) (local.get $G4))))
        (else (call $rnn_mm
          (i32.add (local.get $hidden) (i32.mul (i32.sub (local.get $t) (i32.const 1)) (local.get $U4)))
          (local.get $R) (local.get $pR) (local.get $hr) (local.get $B) (local.get $U) (i32.shl (local.get $U) (i32.const 2))
          (i32.mul (local.get $T) (local.get $U)))))
      (local.set $n (i32.const 0))
      (block $ndone (loop $nloop
        (br_if $ndone (i32.ge_u (local.get $n) (local.get $B)))
        (local.set $row (i32.add (i32.mul (local.get $n) (local.get $T)) (local.get $t)))
        (local.set $pz (i32.add (local.get $xw) (i32.mul (local.get $n) (local.get $G4))))
        ;; The saved gates, c and tanh(c) time-major (row t·B + n: a step's rows together, for the
        ;; backward pass's reads); h batch-major (row n·T + t, the layer's output).
        (local.set $pg (i32.add (local.get $gates)
          (i32.mul (i32.add (i32.mul (local.get $t) (local.get $B)) (local.get $n)) (local.get $G4))))
        (local.set $pc (i32.mul (i32.add (i32.mul (local.get $t) (local.get $B)) (local.get $n)) (local.get $U4)))
        (local.set $ps (i32.mul (local.get $row) (local.get $U4)))
        (local.set $ph (i32.add (local.get $hr) (i32.mul (local.get $n) (local.get $G4))))
        ;; In passes over the row, each reading only what it does not write (so the last group of
        ;; four columns, which overlaps when U mod 4 ≠ 0, writes the same values again), with the
        ;; activations as one $sigmoid_span each (a call per four floats kept ~5 of them in flight).
        ;; z = (x·W + b) + h·R into the gates row, the candidate's doubled: tanh(z) = 2σ(2z) − 1.
        (local.set $j (i32.const 0))
        (block $zdone (loop $zloop
          (br_if $zdone (i32.ge_u (local.get $j) (local.get $U)))
          ;; Byte offset of this group of four columns (the last group overlaps when U mod 4 ≠ 0).
          (local.set $o (i32.shl
            (select (local.get $j) (i32.sub (local.get $U) (i32.const 4))
              (i32.le_u (i32.add (local.get $j) (i32.const 4)) (local.get $U)))
            (i32.const 2)))
          (v128.store align=4 (i32.add (local.get $pg) (local.get $o)) (f32x4.add
            (f32x4.add (v128.load align=4 (i32.add (local.get $pz) (local.get $o)))
              (v128.load align=4 (i32.add (local.get $bias) (local.get $o))))
            (v128.load align=4 (i32.add (local.get $ph) (local.get $o)))))
          (local.set $o (i32.add (local.get $o) (local.get $U4)))
          (v128.store align=4 (i32.add (local.get $pg) (local.get $o)) (f32x4.add
            (f32x4.add (v128.load align=4 (i32.add (local.get $pz) (local.get $o)))
              (v128.load align=4 (i32.add (local.get $bias) (local.get $o))))
            (v128.load align=4 (i32.add (local.get $ph) (local.get $o)))))
          (local.set $o (i32.add (local.get $o) (local.get $U4)))
          (local.set $g (f32x4.add
            (f32x4.add (v128.load align=4 (i32.add (local.get $pz) (local.get $o)))
              (v128.load align=4 (i32.add (local.get $bias) (local.get $o))))
            (v128.load align=4 (i32.add (local.get $ph) (local.get $o)))))
          (v128.store align=4 (i32.add (local.get $pg) (local.get $o)) (f32x4.add (local.get $g) (local.get $g)))
          (local.set $o (i32.add (local.get $o) (local.get $U4)))
          (v128.store align=4 (i32.add (local.get $pg) (local.get $o)) (f32x4.add
            (f32x4.add (v128.load align=4 (i32.add (local.get $pz) (local.get $o)))
              (v128.load align=4 (i32.add (local.get $bias) (local.get $o))))
            (v128.load align=4 (i32.add (local.get $ph) (local.get $o)))))
          (local.set $j (i32.add (local.get $j) (i32.const 4)))
          (br $zloop)))
        ;; σ of the four into hr's row (read: its h·R is in z).
        (call $sigmoid_span (local.get $pg) (local.get $ph) (i32.shl (local.get $U) (i32.const 2)))
        ;; The gates (g = 2σ − 1) into the gates row; c = f·c₋₁ + i·g (c₋₁ = 0 at the first step)
        ;; into the cell row, and 2c into xw's row (read too).
        (local.set $j (i32.const 0))
        (block $cdone (loop $cloop
          (br_if $cdone (i32.ge_u (local.get $j) (local.get $U)))
          (local.set $o (i32.shl
            (select (local.get $j) (i32.sub (local.get $U) (i32.const 4))
              (i32.le_u (i32.add (local.get $j) (i32.const 4)) (local.get $U)))
            (i32.const 2)))
          (local.set $i (v128.load align=4 (i32.add (local.get $ph) (local.get $o))))
          (local.set $f (v128.load align=4 (i32.add (i32.add (local.get $ph) (local.get $o)) (local.get $U4))))
          (local.set $g (f32x4.sub
            (f32x4.mul
              (v128.load align=4 (i32.add (i32.add (local.get $ph) (local.get $o)) (i32.shl (local.get $U4) (i32.const 1))))
              (v128.const f32x4 2 2 2 2))
            (v128.const f32x4 1 1 1 1)))
          (v128.store align=4 (i32.add (local.get $pg) (local.get $o)) (local.get $i))
          (v128.store align=4 (i32.add (i32.add (local.get $pg) (local.get $o)) (local.get $U4)) (local.get $f))
          (v128.store align=4 (i32.add (i32.add (local.get $pg) (local.get $o)) (i32.shl (local.get $U4) (i32.const 1)))
            (local.get $g))
          (v128.store align=4 (i32.add (i32.add (local.get $pg) (local.get $o)) (i32.mul (local.get $U4) (i32.const 3)))
            (v128.load align=4 (i32.add (i32.add (local.get $ph) (local.get $o)) (i32.mul (local.get $U4) (i32.const 3)))))
          (local.set $c (f32x4.mul (local.get $i) (local.get $g)))
          (if (local.get $t) (then
            (local.set $c (f32x4.add
              (f32x4.mul (local.get $f)
                (v128.load align=4 (i32.add (local.get $cell)
                  (i32.add (i32.sub (local.get $pc) (local.get $BU4)) (local.get $o)))))
              (local.get $c)))))
          (v128.store align=4 (i32.add (local.get $cell) (i32.add (local.get $pc) (local.get $o))) (local.get $c))
          (v128.store align=4 (i32.add (local.get $pz) (local.get $o)) (f32x4.add (local.get $c) (local.get $c)))
          (local.set $j (i32.add (local.get $j) (i32.const 4)))
          (br $cloop)))
        ;; σ(2c) into hr's row; then tanh(c) = 2σ(2c) − 1 and h = o·tanh(c).
        (call $sigmoid_span (local.get $pz) (local.get $ph) (local.get $U))
        (local.set $j (i32.const 0))
        (block $jdone (loop $jloop
          (br_if $jdone (i32.ge_u (local.get $j) (local.get $U)))
          (local.set $o (i32.shl
            (select (local.get $j) (i32.sub (local.get $U) (i32.const 4))
              (i32.le_u (i32.add (local.get $j) (i32.const 4)) (local.get $U)))
            (i32.const 2)))
          (local.set $tc (f32x4.sub
            (f32x4.mul (v128.load align=4 (i32.add (local.get $ph) (local.get $o))) (v128.const f32x4 2 2 2 2))
            (v128.const f32x4 1 1 1 1)))
          (v128.store align=4 (i32.add (local.get $tanhc) (i32.add (local.get $pc) (local.get $o))) (local.get $tc))
          (v128.store align=4 (i32.add (local.get $hidden) (i32.add (local.get $ps) (local.get $o)))
            (f32x4.mul
              (v128.load align=4 (i32.add (i32.add (local.get $pg) (local.get $o)) (i32.mul (local.get $U4) (i32.const 3))))
              (local.get $tc)))
          (local.set $j (i32.add (local.get $j) (i32.const 4)))
          (br $jloop)))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $nloop)))
      (local.set $t (i32.add (local.get $t) (i32.const 1)))
      (br $tloop))))

  ;; The input gradient of one step of a fused recurrence: dx rows (n, t) [D] = dz rows (n, t) [G]
  ;; (rows T·G apart) times Wt = Wᵀ [G, D] (its panels at pWt, rnn_mm) into dxt [B, D], then copied
  ;; into dx [B·T, D].
  ;; (The same sums, in the same order, as one product dZ·Wᵀ over all steps; done per step while
  ;; this step's dz is in cache.)
  (func $rnn_dx (param $dz i32) (param $Wt i32) (param $pWt i32) (param $dxt i32) (param $dx i32)
    (param $B i32) (param $T i32) (param $D i32) (param $G i32) (param $t i32)
    (local $n i32) (local $D4 i32)
    (local.set $D4 (i32.shl (local.get $D) (i32.const 2)))
    (call $rnn_mm
      (i32.add (local.get $dz) (i32.shl (i32.mul (local.get $t) (local.get $G)) (i32.const 2)))
      (local.get $Wt) (local.get $pWt) (local.get $dxt) (local.get $B) (local.get $G) (local.get $D)
      (i32.mul (local.get $T) (local.get $G)))
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $n) (local.get $B)))
      (memory.copy
        (i32.add (local.get $dx)
          (i32.mul (i32.add (i32.mul (local.get $n) (local.get $T)) (local.get $t)) (local.get $D4)))
        (i32.add (local.get $dxt) (i32.mul (local.get $n) (local.get $D4)))
        (local.get $D4))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $l))))

  ;; The gradient of lstm_forward: from dout (the gradient of h, rows (batch, time) of U when seq is
  ;; 1, or of the last step only, [B, U], when seq is 0) and what the forward pass saved, dz: the
  ;; gradient of the pre-activation gates z, time-major rows (t·B + n) of 4U as the saved gates, c
  ;; and tanh(c) (a step's rows are together), step by step backwards:
  ;;   dh = dout + dz₊₁·Rᵀ;  dc = dc₊₁·f₊₁ + dh·o·(1 − tanh²c)
  ;;   dz_i = dc·g·i(1−i);  dz_f = dc·c₋₁·f(1−f);  dz_c = dc·i·(1−g²);  dz_o = dh·tanh(c)·o(1−o)
  ;; Rt: Rᵀ [4U, U]. Scratch [B, U] each: dh (dz₊₁·Rᵀ by gemm) and dc0, dc1 (dc₊₁ read from one,
  ;; dc written to the other, so an overlapping group of columns reads what it read the first
  ;; time). Per step also the input gradient, dz times Wt = Wᵀ [4U, D] into dx [B·T, D] ($rnn_dx,
  ;; scratch dxt [B, D]). Needs U ≥ 4.
  (func (export "lstm_backward")
    (param $dout i32) (param $gates i32) (param $cell i32) (param $tanhc i32) (param $Rt i32)
    (param $dz i32) (param $dh i32) (param $dc0 i32) (param $dc1 i32)
    (param $Wt i32) (param $dxt i32) (param $dx i32) (param $pack i32)
    (param $B i32) (param $T i32) (param $D i32) (param $U i32) (param $seq i32)
    (local $t i32) (local $n i32) (local $j i32) (local $o i32) (local $row i32) (local $last i32)
    (local $U4 i32) (local $G4 i32) (local $pg i32) (local $pd i32) (local $ps i32) (local $pk i32)
    (local $dcIn i32) (local $dcOut i32) (local $swap i32) (local $hasOut i32) (local $pRt i32)
    (local $pc i32) (local $BU4 i32)
    (local $i v128) (local $f v128) (local $g v128) (local $og v128) (local $tc v128)
    (local $dhv v128) (local $dcv v128) (local $cp v128)
    (local.set $U4 (i32.shl (local.get $U) (i32.const 2)))
    (local.set $G4 (i32.shl (local.get $U) (i32.const 4)))
    (local.set $BU4 (i32.mul (local.get $B) (local.get $U4)))
    ;; Wᵀ's panels at pack, Rᵀ's after them (rnn_pack: when D, U are multiples of 16).
    (local.set $pRt (i32.add (local.get $pack) (i32.mul (local.get $D) (local.get $G4))))
    (call $rnn_pack (local.get $Wt) (local.get $pack) (i32.shl (local.get $U) (i32.const 2)) (local.get $D))
    (call $rnn_pack (local.get $Rt) (local.get $pRt) (i32.shl (local.get $U) (i32.const 2)) (local.get $U))
    (memory.fill (local.get $dh) (i32.const 0) (i32.mul (local.get $B) (local.get $U4)))
    (memory.fill (local.get $dc0) (i32.const 0) (i32.mul (local.get $B) (local.get $U4)))
    (local.set $dcIn (local.get $dc0))
    (local.set $dcOut (local.get $dc1))
    (local.set $last (i32.sub (local.get $T) (i32.const 1)))
    (local.set $t (local.get $last))
    (loop $tloop
      (local.set $hasOut (i32.or (local.get $seq) (i32.eq (local.get $t) (local.get $last))))
      (local.set $n (i32.const 0))
      (block $ndone (loop $nloop
        (br_if $ndone (i32.ge_u (local.get $n) (local.get $B)))
        (local.set $row (i32.add (i32.mul (local.get $n) (local.get $T)) (local.get $t)))
        ;; gates, c, tanh(c) and dz time-major (row t·B + n), dout batch-major (row n·T + t).
        (local.set $pc (i32.mul (i32.add (i32.mul (local.get $t) (local.get $B)) (local.get $n)) (local.get $U4)))
        (local.set $pg (i32.add (local.get $gates) (i32.shl (local.get $pc) (i32.const 2))))
        (local.set $pd (i32.add (local.get $dz) (i32.shl (local.get $pc) (i32.const 2))))
        (local.set $ps (i32.mul (local.get $row) (local.get $U4)))
        (local.set $pk (i32.mul (local.get $n) (local.get $U4)))
        (local.set $j (i32.const 0))
        (block $jdone (loop $jloop
          (br_if $jdone (i32.ge_u (local.get $j) (local.get $U)))
          (local.set $o (i32.shl
            (select (local.get $j) (i32.sub (local.get $U) (i32.const 4))
              (i32.le_u (i32.add (local.get $j) (i32.const 4)) (local.get $U)))
            (i32.const 2)))
          (local.set $dhv (v128.load align=4 (i32.add (local.get $dh) (i32.add (local.get $pk) (local.get $o)))))
          (if (local.get $hasOut) (then
            (local.set $dhv (f32x4.add (local.get $dhv)
              (v128.load align=4 (i32.add (local.get $dout)
                (i32.add (select (local.get $ps) (local.get $pk) (local.get $seq)) (local.get $o))))))))
          (local.set $i (v128.load align=4 (i32.add (local.get $pg) (local.get $o))))
          (local.set $f (v128.load align=4 (i32.add (i32.add (local.get $pg) (local.get $o)) (local.get $U4))))
          (local.set $g (v128.load align=4
            (i32.add (i32.add (local.get $pg) (local.get $o)) (i32.shl (local.get $U4) (i32.const 1)))))
          (local.set $og (v128.load align=4
            (i32.add (i32.add (local.get $pg) (local.get $o)) (i32.mul (local.get $U4) (i32.const 3)))))
          (local.set $tc (v128.load align=4 (i32.add (local.get $tanhc) (i32.add (local.get $pc) (local.get $o)))))
          (local.set $dcv (f32x4.add
            (v128.load align=4 (i32.add (local.get $dcIn) (i32.add (local.get $pk) (local.get $o))))
            (f32x4.mul (f32x4.mul (local.get $dhv) (local.get $og))
              (f32x4.sub (v128.const f32x4 1 1 1 1) (f32x4.mul (local.get $tc) (local.get $tc))))))
          (local.set $cp (v128.const f32x4 0 0 0 0))
          (if (local.get $t) (then
            (local.set $cp (v128.load align=4 (i32.add (local.get $cell)
              (i32.add (i32.sub (local.get $pc) (local.get $BU4)) (local.get $o)))))))
          (v128.store align=4 (i32.add (local.get $pd) (local.get $o))
            (f32x4.mul (f32x4.mul (f32x4.mul (local.get $dcv) (local.get $g)) (local.get $i))
              (f32x4.sub (v128.const f32x4 1 1 1 1) (local.get $i))))
          (v128.store align=4 (i32.add (i32.add (local.get $pd) (local.get $o)) (local.get $U4))
            (f32x4.mul (f32x4.mul (f32x4.mul (local.get $dcv) (local.get $cp)) (local.get $f))
              (f32x4.sub (v128.const f32x4 1 1 1 1) (local.get $f))))
          (v128.store align=4 (i32.add (i32.add (local.get $pd) (local.get $o)) (i32.shl (local.get $U4) (i32.const 1)))
            (f32x4.mul (f32x4.mul (local.get $dcv) (local.get $i))
              (f32x4.sub (v128.const f32x4 1 1 1 1) (f32x4.mul (local.get $g) (local.get $g)))))
          (v128.store align=4 (i32.add (i32.add (local.get $pd) (local.get $o)) (i32.mul (local.get $U4) (i32.const 3)))
            (f32x4.mul (f32x4.mul (f32x4.mul (local.get $dhv) (local.get $tc)) (local.get $og))
              (f32x4.sub (v128.const f32x4 1 1 1 1) (local.get $og))))
          (v128.store align=4 (i32.add (local.get $dcOut) (i32.add (local.get $pk) (local.get $o)))
            (f32x4.mul (local.get $dcv) (local.get $f)))
          (local.set $j (i32.add (local.get $j) (i32.const 4)))
          (br $jloop)))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $nloop)))
      (call $rnn_dx_tm (local.get $dz) (local.get $Wt) (local.get $pack) (local.get $dxt) (local.get $dx)
        (local.get $B) (local.get $T) (local.get $D) (i32.shl (local.get $U) (i32.const 2)) (local.get $t))
      (if (local.get $t) (then
        ;; dh for step t−1: this step's dz (B consecutive rows) times Rᵀ.
        (call $rnn_mm
          (i32.add (local.get $dz) (i32.mul (i32.mul (local.get $t) (local.get $B)) (local.get $G4)))
          (local.get $Rt) (local.get $pRt) (local.get $dh) (local.get $B) (i32.shl (local.get $U) (i32.const 2)) (local.get $U)
          (i32.shl (local.get $U) (i32.const 2)))
        (local.set $swap (local.get $dcIn))
        (local.set $dcIn (local.get $dcOut))
        (local.set $dcOut (local.get $swap))
        (local.set $t (i32.sub (local.get $t) (i32.const 1)))
        (br $tloop)))))

  ;; The GRU over a whole sequence (recurrent activation σ, activation tanh), in either form:
  ;;   after = 1 (reset after, NetloomGRU): [h_z, h_r, h_h] = h₋₁·R + b_h;  h̃ = tanh(x_h + r·h_h)
  ;;   after = 0 (reset before, Keras's reset_after=False): [h_z, h_r] = h₋₁·R_zr (b_h = 0);
  ;;             h̃ = tanh(x_h + (r·h₋₁)·R_h)
  ;;   z = σ(x_z + h_z);  r = σ(x_r + h_r);  h = z·h₋₁ + (1 − z)·h̃
  ;; x [B, T, D], W [D, 3U], bx [3U]; xw: scratch [B, 3U] (x·W + b_x of the step, by $rnn_xw);
  ;; R: R [U, 3U] (after) or R_zr [U, 2U]; Rh: R_h [U, U] (before only); bh [3U]; hr: scratch [B, 3U]. Saved, rows (batch, time): z, r, h̃
  ;; (3U); aux (U): h_h (after) or r·h₋₁ (before); h (U). h₋₁ and r·h₋₁ are read from the saved
  ;; rows by gemm (row stride T·U). Columns four at a time, the last group overlapping when U is
  ;; not a multiple of 4 (it writes the same values again). Needs U ≥ 4.
  (func (export "gru_forward")
    (param $x i32) (param $W i32) (param $bx i32) (param $xw i32)
    (param $R i32) (param $Rh i32) (param $bh i32) (param $hr i32) (param $pack i32) (param $gates i32)
    (param $aux i32) (param $hidden i32) (param $B i32) (param $T i32) (param $D i32) (param $U i32)
    (param $after i32)
    (local $t i32) (local $n i32) (local $j i32) (local $o i32) (local $row i32)
    (local $U4 i32) (local $G4 i32) (local $HW4 i32) (local $pz i32) (local $ph i32) (local $pg i32)
    (local $ps i32) (local $pR i32) (local $pRh i32)
    (local $z v128) (local $r v128) (local $c v128) (local $hp v128) (local $hh v128)
    (local.set $U4 (i32.shl (local.get $U) (i32.const 2)))
    (local.set $G4 (i32.mul (local.get $U4) (i32.const 3)))
    ;; Row width of hr in bytes: 3U (after) or 2U (before).
    (local.set $HW4 (select (local.get $G4) (i32.shl (local.get $U4) (i32.const 1)) (local.get $after)))
    ;; W's panels at pack, then R's (or R_zr's), then R_h's (before) (rnn_pack: widths multiples of 16).
    (local.set $pR (i32.add (local.get $pack) (i32.mul (local.get $D) (local.get $G4))))
    (local.set $pRh (i32.add (local.get $pR) (i32.mul (local.get $U) (local.get $HW4))))
    (call $rnn_pack (local.get $W) (local.get $pack) (local.get $D) (i32.mul (local.get $U) (i32.const 3)))
    (call $rnn_pack (local.get $R) (local.get $pR) (local.get $U) (i32.shr_u (local.get $HW4) (i32.const 2)))
    (if (i32.eqz (local.get $after)) (then
      (call $rnn_pack (local.get $Rh) (local.get $pRh) (local.get $U) (local.get $U))))
    (block $tdone (loop $tloop
      (br_if $tdone (i32.ge_u (local.get $t) (local.get $T)))
      (call $rnn_xw (local.get $x) (local.get $W) (local.get $pack) (local.get $bx) (local.get $xw)
        (local.get $B) (local.get $T) (local.get $D) (i32.mul (local.get $U) (i32.const 3)) (local.get $t))
      (if (i32.eqz (local.get $t))
        (then (memory.fill (local.get $hr) (i32.const 0) (i32.mul (local.get $B) (local.get $G4))))
        (else (call $rnn_mm
          (i32.add (local.get $hidden) (i32.mul (i32.sub (local.get $t) (i32.const 1)) (local.get $U4)))
          (local.get $R) (local.get $pR) (local.get $hr) (local.get $B) (local.get $U) (i32.shr_u (local.get $HW4) (i32.const 2))
          (i32.mul (local.get $T) (local.get $U)))))
      (local.set $n (i32.const 0))
      (block $ndone (loop $nloop
        (br_if $ndone (i32.ge_u (local.get $n) (local.get $B)))
        (local.set $row (i32.add (i32.mul (local.get $n) (local.get $T)) (local.get $t)))
        (local.set $pz (i32.add (local.get $xw) (i32.mul (local.get $n) (local.get $G4))))
        (local.set $pg (i32.add (local.get $gates) (i32.mul (local.get $row) (local.get $G4))))
        (local.set $ps (i32.mul (local.get $row) (local.get $U4)))
        (local.set $ph (i32.add (local.get $hr) (i32.mul (local.get $n) (local.get $HW4))))
        (local.set $j (i32.const 0))
        (block $jdone (loop $jloop
          (br_if $jdone (i32.ge_u (local.get $j) (local.get $U)))
          (local.set $o (i32.shl
            (select (local.get $j) (i32.sub (local.get $U) (i32.const 4))
              (i32.le_u (i32.add (local.get $j) (i32.const 4)) (local.get $U)))
            (i32.const 2)))
          (local.set $z (call $sigmoid (f32x4.add
            (f32x4.add
              (v128.load align=4 (i32.add (local.get $pz) (local.get $o)))
              (v128.load align=4 (i32.add (local.get $ph) (local.get $o))))
            (v128.load align=4 (i32.add (local.get $bh) (local.get $o))))))
          (local.set $r (call $sigmoid (f32x4.add
            (f32x4.add
              (v128.load align=4 (i32.add (i32.add (local.get $pz) (local.get $o)) (local.get $U4)))
              (v128.load align=4 (i32.add (i32.add (local.get $ph) (local.get $o)) (local.get $U4))))
            (v128.load align=4 (i32.add (i32.add (local.get $bh) (local.get $o)) (local.get $U4))))))
          (v128.store align=4 (i32.add (local.get $pg) (local.get $o)) (local.get $z))
          (v128.store align=4 (i32.add (i32.add (local.get $pg) (local.get $o)) (local.get $U4)) (local.get $r))
          (local.set $hp (v128.const f32x4 0 0 0 0))
          (if (local.get $t) (then
            (local.set $hp (v128.load align=4 (i32.add (local.get $hidden)
              (i32.add (i32.sub (local.get $ps) (local.get $U4)) (local.get $o)))))))
          (if (local.get $after)
            (then
              (local.set $hh (f32x4.add
                (v128.load align=4 (i32.add (i32.add (local.get $ph) (local.get $o)) (i32.shl (local.get $U4) (i32.const 1))))
                (v128.load align=4 (i32.add (i32.add (local.get $bh) (local.get $o)) (i32.shl (local.get $U4) (i32.const 1))))))
              (v128.store align=4 (i32.add (local.get $aux) (i32.add (local.get $ps) (local.get $o))) (local.get $hh))
              (local.set $c (call $tanh (f32x4.add
                (v128.load align=4 (i32.add (i32.add (local.get $pz) (local.get $o)) (i32.shl (local.get $U4) (i32.const 1))))
                (f32x4.mul (local.get $r) (local.get $hh)))))
              (v128.store align=4 (i32.add (i32.add (local.get $pg) (local.get $o)) (i32.shl (local.get $U4) (i32.const 1)))
                (local.get $c))
              (v128.store align=4 (i32.add (local.get $hidden) (i32.add (local.get $ps) (local.get $o)))
                (f32x4.add (f32x4.mul (local.get $z) (local.get $hp))
                  (f32x4.mul (f32x4.sub (v128.const f32x4 1 1 1 1) (local.get $z)) (local.get $c)))))
            (else
              (v128.store align=4 (i32.add (local.get $aux) (i32.add (local.get $ps) (local.get $o)))
                (f32x4.mul (local.get $r) (local.get $hp)))))
          (local.set $j (i32.add (local.get $j) (i32.const 4)))
          (br $jloop)))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $nloop)))
      (if (i32.eqz (local.get $after)) (then
        ;; Reset before: (r·h₋₁)·R_h into hr [B, U] (zero at t = 0), then the candidate and h.
        (if (i32.eqz (local.get $t))
          (then (memory.fill (local.get $hr) (i32.const 0) (i32.mul (local.get $B) (local.get $U4))))
          (else (call $rnn_mm
            (i32.add (local.get $aux) (i32.mul (local.get $t) (local.get $U4)))
            (local.get $Rh) (local.get $pRh) (local.get $hr) (local.get $B) (local.get $U) (local.get $U)
            (i32.mul (local.get $T) (local.get $U)))))
        (local.set $n (i32.const 0))
        (block $n2done (loop $n2loop
          (br_if $n2done (i32.ge_u (local.get $n) (local.get $B)))
          (local.set $row (i32.add (i32.mul (local.get $n) (local.get $T)) (local.get $t)))
          (local.set $pz (i32.add (local.get $xw) (i32.mul (local.get $n) (local.get $G4))))
          (local.set $pg (i32.add (local.get $gates) (i32.mul (local.get $row) (local.get $G4))))
          (local.set $ps (i32.mul (local.get $row) (local.get $U4)))
          (local.set $ph (i32.add (local.get $hr) (i32.mul (local.get $n) (local.get $U4))))
          (local.set $j (i32.const 0))
          (block $j2done (loop $j2loop
            (br_if $j2done (i32.ge_u (local.get $j) (local.get $U)))
            (local.set $o (i32.shl
              (select (local.get $j) (i32.sub (local.get $U) (i32.const 4))
                (i32.le_u (i32.add (local.get $j) (i32.const 4)) (local.get $U)))
              (i32.const 2)))
            (local.set $z (v128.load align=4 (i32.add (local.get $pg) (local.get $o))))
            (local.set $c (call $tanh (f32x4.add
              (v128.load align=4 (i32.add (i32.add (local.get $pz) (local.get $o)) (i32.shl (local.get $U4) (i32.const 1))))
              (v128.load align=4 (i32.add (local.get $ph) (local.get $o))))))
            (v128.store align=4 (i32.add (i32.add (local.get $pg) (local.get $o)) (i32.shl (local.get $U4) (i32.const 1)))
              (local.get $c))
            (local.set $hp (v128.const f32x4 0 0 0 0))
            (if (local.get $t) (then
              (local.set $hp (v128.load align=4 (i32.add (local.get $hidden)
                (i32.add (i32.sub (local.get $ps) (local.get $U4)) (local.get $o)))))))
            (v128.store align=4 (i32.add (local.get $hidden) (i32.add (local.get $ps) (local.get $o)))
              (f32x4.add (f32x4.mul (local.get $z) (local.get $hp))
                (f32x4.mul (f32x4.sub (v128.const f32x4 1 1 1 1) (local.get $z)) (local.get $c))))
            (local.set $j (i32.add (local.get $j) (i32.const 4)))
            (br $j2loop)))
          (local.set $n (i32.add (local.get $n) (i32.const 1)))
          (br $n2loop)))))
      (local.set $t (i32.add (local.get $t) (i32.const 1)))
      (br $tloop))))

  ;; The gradient of gru_forward: from dout (the gradient of h, rows (batch, time) of U when seq is
  ;; 1, or of the last step only, [B, U], when seq is 0) and what the forward pass saved, step by
  ;; step backwards (dh = dout + what step t + 1 sends back):
  ;;   dz = dh·(h₋₁ − h̃)·z(1−z);  dh̃ = dh·(1−z)·(1−h̃²);  back to h₋₁: dh·z + the products below
  ;;   after:  dr = dh̃·h_h·r(1−r);  the gradient of h₋₁·R + b_h is [dz, dr, dh̃·r] (dhr), times Rᵀ
  ;;   before: d(r·h₋₁) = dh̃·R_hᵀ;  dr = d(r·h₋₁)·h₋₁·r(1−r);  back to h₋₁: d(r·h₋₁)·r + [dz, dr]·R_zrᵀ
  ;; Writes dx [B·T, 3U] (the gradient of x·W + b_x: dz, dr, dh̃) and, after, dhr [B·T, 3U]. Rt: Rᵀ
  ;; [3U, U] (after) or R_zrᵀ [2U, U]; Rht: R_hᵀ [U, U] (before). Scratch [B, U] each: dh (by gemm),
  ;; drh, and c0, c1 (what reaches h₋₁ directly: read from one, written to the other, so an
  ;; overlapping group of columns reads what it read the first time). Per step also the input
  ;; gradient, dx rows times Wt = Wᵀ [3U, D] into di [B·T, D] ($rnn_dx, scratch dit [B, D]).
  ;; Needs U ≥ 4.
  (func (export "gru_backward")
    (param $dout i32) (param $gates i32) (param $aux i32) (param $hidden i32) (param $Rt i32) (param $Rht i32)
    (param $dx i32) (param $dhr i32) (param $dh i32) (param $drh i32) (param $c0 i32) (param $c1 i32)
    (param $Wt i32) (param $dit i32) (param $di i32) (param $pack i32)
    (param $B i32) (param $T i32) (param $D i32) (param $U i32) (param $seq i32) (param $after i32)
    (local $t i32) (local $n i32) (local $j i32) (local $o i32) (local $row i32) (local $last i32)
    (local $U4 i32) (local $G4 i32) (local $pg i32) (local $pd i32) (local $pe i32) (local $ps i32) (local $pk i32)
    (local $cIn i32) (local $cOut i32) (local $swap i32) (local $hasOut i32) (local $pRt i32) (local $pRht i32)
    (local $z v128) (local $r v128) (local $c v128) (local $hp v128) (local $dhv v128) (local $dzp v128)
    (local $dac v128) (local $drp v128) (local $d v128)
    (local.set $U4 (i32.shl (local.get $U) (i32.const 2)))
    (local.set $G4 (i32.mul (local.get $U4) (i32.const 3)))
    ;; Wᵀ's panels at pack, then Rᵀ's (or R_zrᵀ's), then R_hᵀ's (before) (rnn_pack: widths D, U
    ;; multiples of 16).
    (local.set $pRt (i32.add (local.get $pack) (i32.mul (local.get $D) (local.get $G4))))
    (local.set $pRht (i32.add (local.get $pRt)
      (i32.mul (i32.mul (local.get $U) (local.get $U4)) (select (i32.const 3) (i32.const 2) (local.get $after)))))
    (call $rnn_pack (local.get $Wt) (local.get $pack) (i32.mul (local.get $U) (i32.const 3)) (local.get $D))
    (call $rnn_pack (local.get $Rt) (local.get $pRt)
      (i32.mul (local.get $U) (select (i32.const 3) (i32.const 2) (local.get $after))) (local.get $U))
    (if (i32.eqz (local.get $after)) (then
      (call $rnn_pack (local.get $Rht) (local.get $pRht) (local.get $U) (local.get $U))))
    (memory.fill (local.get $dh) (i32.const 0) (i32.mul (local.get $B) (local.get $U4)))
    (memory.fill (local.get $c0) (i32.const 0) (i32.mul (local.get $B) (local.get $U4)))
    (local.set $cIn (local.get $c0))
    (local.set $cOut (local.get $c1))
    (local.set $last (i32.sub (local.get $T) (i32.const 1)))
    (local.set $t (local.get $last))
    (loop $tloop
      (local.set $hasOut (i32.or (local.get $seq) (i32.eq (local.get $t) (local.get $last))))
      (local.set $n (i32.const 0))
      (block $ndone (loop $nloop
        (br_if $ndone (i32.ge_u (local.get $n) (local.get $B)))
        (local.set $row (i32.add (i32.mul (local.get $n) (local.get $T)) (local.get $t)))
        (local.set $pg (i32.add (local.get $gates) (i32.mul (local.get $row) (local.get $G4))))
        (local.set $pd (i32.add (local.get $dx) (i32.mul (local.get $row) (local.get $G4))))
        (local.set $pe (i32.add (local.get $dhr) (i32.mul (local.get $row) (local.get $G4))))
        (local.set $ps (i32.mul (local.get $row) (local.get $U4)))
        (local.set $pk (i32.mul (local.get $n) (local.get $U4)))
        (local.set $j (i32.const 0))
        (block $jdone (loop $jloop
          (br_if $jdone (i32.ge_u (local.get $j) (local.get $U)))
          (local.set $o (i32.shl
            (select (local.get $j) (i32.sub (local.get $U) (i32.const 4))
              (i32.le_u (i32.add (local.get $j) (i32.const 4)) (local.get $U)))
            (i32.const 2)))
          (local.set $dhv (f32x4.add
            (v128.load align=4 (i32.add (local.get $dh) (i32.add (local.get $pk) (local.get $o))))
            (v128.load align=4 (i32.add (local.get $cIn) (i32.add (local.get $pk) (local.get $o))))))
          (if (local.get $hasOut) (then
            (local.set $dhv (f32x4.add (local.get $dhv)
              (v128.load align=4 (i32.add (local.get $dout)
                (i32.add (select (local.get $ps) (local.get $pk) (local.get $seq)) (local.get $o))))))))
          (local.set $z (v128.load align=4 (i32.add (local.get $pg) (local.get $o))))
          (local.set $r (v128.load align=4 (i32.add (i32.add (local.get $pg) (local.get $o)) (local.get $U4))))
          (local.set $c (v128.load align=4
            (i32.add (i32.add (local.get $pg) (local.get $o)) (i32.shl (local.get $U4) (i32.const 1)))))
          (local.set $hp (v128.const f32x4 0 0 0 0))
          (if (local.get $t) (then
            (local.set $hp (v128.load align=4 (i32.add (local.get $hidden)
              (i32.add (i32.sub (local.get $ps) (local.get $U4)) (local.get $o)))))))
          (local.set $dzp (f32x4.mul
            (f32x4.mul (f32x4.mul (local.get $dhv) (f32x4.sub (local.get $hp) (local.get $c))) (local.get $z))
            (f32x4.sub (v128.const f32x4 1 1 1 1) (local.get $z))))
          (local.set $dac (f32x4.mul
            (f32x4.mul (local.get $dhv) (f32x4.sub (v128.const f32x4 1 1 1 1) (local.get $z)))
            (f32x4.sub (v128.const f32x4 1 1 1 1) (f32x4.mul (local.get $c) (local.get $c)))))
          (v128.store align=4 (i32.add (local.get $pd) (local.get $o)) (local.get $dzp))
          (v128.store align=4 (i32.add (i32.add (local.get $pd) (local.get $o)) (i32.shl (local.get $U4) (i32.const 1)))
            (local.get $dac))
          (v128.store align=4 (i32.add (local.get $cOut) (i32.add (local.get $pk) (local.get $o)))
            (f32x4.mul (local.get $dhv) (local.get $z)))
          (local.set $drp (v128.const f32x4 0 0 0 0))
          (if (local.get $after) (then
            (local.set $drp (f32x4.mul
              (f32x4.mul
                (f32x4.mul (local.get $dac) (v128.load align=4 (i32.add (local.get $aux) (i32.add (local.get $ps) (local.get $o)))))
                (local.get $r))
              (f32x4.sub (v128.const f32x4 1 1 1 1) (local.get $r))))
            (v128.store align=4 (i32.add (local.get $pe) (local.get $o)) (local.get $dzp))
            (v128.store align=4 (i32.add (i32.add (local.get $pe) (local.get $o)) (local.get $U4)) (local.get $drp))
            (v128.store align=4 (i32.add (i32.add (local.get $pe) (local.get $o)) (i32.shl (local.get $U4) (i32.const 1)))
              (f32x4.mul (local.get $dac) (local.get $r)))))
          (v128.store align=4 (i32.add (i32.add (local.get $pd) (local.get $o)) (local.get $U4)) (local.get $drp))
          (local.set $j (i32.add (local.get $j) (i32.const 4)))
          (br $jloop)))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))
        (br $nloop)))
      (if (local.get $t) (then
        (if (local.get $after)
          (then
            ;; dh for step t−1: this step's dhr (rows T·3U apart) times Rᵀ.
            (call $rnn_mm
              (i32.add (local.get $dhr) (i32.mul (local.get $t) (local.get $G4)))
              (local.get $Rt) (local.get $pRt) (local.get $dh) (local.get $B) (i32.mul (local.get $U) (i32.const 3)) (local.get $U)
              (i32.mul (local.get $T) (i32.mul (local.get $U) (i32.const 3))))
            (local.set $swap (local.get $cIn))
            (local.set $cIn (local.get $cOut))
            (local.set $cOut (local.get $swap)))
          (else
            ;; d(r·h₋₁) = dh̃·R_hᵀ; then dr, and what reaches h₋₁ (into cIn, free now).
            (call $rnn_mm
              (i32.add (local.get $dx) (i32.add (i32.mul (local.get $t) (local.get $G4)) (i32.shl (local.get $U4) (i32.const 1))))
              (local.get $Rht) (local.get $pRht) (local.get $drh) (local.get $B) (local.get $U) (local.get $U)
              (i32.mul (local.get $T) (i32.mul (local.get $U) (i32.const 3))))
            (local.set $n (i32.const 0))
            (block $n2done (loop $n2loop
              (br_if $n2done (i32.ge_u (local.get $n) (local.get $B)))
              (local.set $row (i32.add (i32.mul (local.get $n) (local.get $T)) (local.get $t)))
              (local.set $pg (i32.add (local.get $gates) (i32.mul (local.get $row) (local.get $G4))))
              (local.set $pd (i32.add (local.get $dx) (i32.mul (local.get $row) (local.get $G4))))
              (local.set $ps (i32.mul (local.get $row) (local.get $U4)))
              (local.set $pk (i32.mul (local.get $n) (local.get $U4)))
              (local.set $j (i32.const 0))
              (block $j2done (loop $j2loop
                (br_if $j2done (i32.ge_u (local.get $j) (local.get $U)))
                (local.set $o (i32.shl
                  (select (local.get $j) (i32.sub (local.get $U) (i32.const 4))
                    (i32.le_u (i32.add (local.get $j) (i32.const 4)) (local.get $U)))
                  (i32.const 2)))
                (local.set $r (v128.load align=4 (i32.add (i32.add (local.get $pg) (local.get $o)) (local.get $U4))))
                (local.set $d (v128.load align=4 (i32.add (local.get $drh) (i32.add (local.get $pk) (local.get $o)))))
                (v128.store align=4 (i32.add (i32.add (local.get $pd) (local.get $o)) (local.get $U4))
                  (f32x4.mul
                    (f32x4.mul
                      (f32x4.mul (local.get $d) (v128.load align=4 (i32.add (local.get $hidden)
                        (i32.add (i32.sub (local.get $ps) (local.get $U4)) (local.get $o)))))
                      (local.get $r))
                    (f32x4.sub (v128.const f32x4 1 1 1 1) (local.get $r))))
                (v128.store align=4 (i32.add (local.get $cIn) (i32.add (local.get $pk) (local.get $o)))
                  (f32x4.add
                    (v128.load align=4 (i32.add (local.get $cOut) (i32.add (local.get $pk) (local.get $o))))
                    (f32x4.mul (local.get $d) (local.get $r))))
                (local.set $j (i32.add (local.get $j) (i32.const 4)))
                (br $j2loop)))
              (local.set $n (i32.add (local.get $n) (i32.const 1)))
              (br $n2loop)))
            ;; dh for step t−1: [dz, dr] of this step (rows T·3U apart) times R_zrᵀ.
            (call $rnn_mm
              (i32.add (local.get $dx) (i32.mul (local.get $t) (local.get $G4)))
              (local.get $Rt) (local.get $pRt) (local.get $dh) (local.get $B) (i32.shl (local.get $U) (i32.const 1)) (local.get $U)
              (i32.mul (local.get $T) (i32.mul (local.get $U) (i32.const 3))))))))
      ;; This step's dx rows are complete (dr too): the input gradient of the step.
      (call $rnn_dx (local.get $dx) (local.get $Wt) (local.get $pack) (local.get $dit) (local.get $di)
        (local.get $B) (local.get $T) (local.get $D) (i32.mul (local.get $U) (i32.const 3)) (local.get $t))
      (if (local.get $t) (then
        (local.set $t (i32.sub (local.get $t) (i32.const 1)))
        (br $tloop)))))


  ;; Writes n bytes (a multiple of 4) of zeros at dst: 16 at a time, then 4.
  (func $zero (param $dst i32) (param $n i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $dst) (i32.and (local.get $n) (i32.const -16))))
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $dst) (local.get $end)))
      (v128.store align=4 (local.get $dst) (v128.const i32x4 0 0 0 0))
      (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
      (br $l)))
    (local.set $end (i32.add (local.get $end) (i32.and (local.get $n) (i32.const 12))))
    (block $done1 (loop $l1
      (br_if $done1 (i32.ge_u (local.get $dst) (local.get $end)))
      (f32.store (local.get $dst) (f32.const 0))
      (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
      (br $l1))))

  ;; Copies n bytes (a multiple of 4) from src to dst (not overlapping): 16 at a time, then 4.
  (func $copy (param $dst i32) (param $src i32) (param $n i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $dst) (i32.and (local.get $n) (i32.const -16))))
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $dst) (local.get $end)))
      (v128.store align=4 (local.get $dst) (v128.load align=4 (local.get $src)))
      (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
      (local.set $src (i32.add (local.get $src) (i32.const 16)))
      (br $l)))
    (local.set $end (i32.add (local.get $end) (i32.and (local.get $n) (i32.const 12))))
    (block $done1 (loop $l1
      (br_if $done1 (i32.ge_u (local.get $dst) (local.get $end)))
      (f32.store (local.get $dst) (f32.load (local.get $src)))
      (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
      (local.set $src (i32.add (local.get $src) (i32.const 4)))
      (br $l1))))

  ;; im2col: col [rows, KH·KW·C] for images [b0, b1) of x [B, H, W, C] (NHWC): row (b, oh, ow),
  ;; column (kh, kw, c) holds x[b, oh·sh − pt + kh·dh, ow·sw − pl + kw·dw, c], 0 outside the image.
  ;; Per (b, oh, ow, kh): a filter row outside the image is zeros; without dilation across (dw = 1)
  ;; its taps inside the image are one contiguous run of x (copied at once, zeros either side);
  ;; with dilation, tap by tap.
  (func (export "im2col")
    (param $x i32) (param $col i32) (param $b0 i32) (param $b1 i32)
    (param $H i32) (param $W i32) (param $C i32) (param $OH i32) (param $OW i32)
    (param $KH i32) (param $KW i32) (param $sh i32) (param $sw i32) (param $dh i32) (param $dw i32)
    (param $pt i32) (param $pl i32)
    (local $b i32) (local $oh i32) (local $ow i32) (local $kh i32) (local $kw i32)
    (local $ih i32) (local $iw i32) (local $iw0 i32) (local $lo i32) (local $hi i32)
    (local $dst i32) (local $C4 i32) (local $rowBytes i32) (local $rowBase i32)
    (local $src i32) (local $off i32) (local $end i32)
    (local.set $C4 (i32.shl (local.get $C) (i32.const 2)))
    (local.set $rowBytes (i32.mul (local.get $KW) (local.get $C4)))
    (local.set $dst (local.get $col))
    (local.set $b (local.get $b0))
    (block $bdone (loop $bloop
      (br_if $bdone (i32.ge_u (local.get $b) (local.get $b1)))
      (local.set $oh (i32.const 0))
      (block $ohdone (loop $ohloop
        (br_if $ohdone (i32.ge_u (local.get $oh) (local.get $OH)))
        (local.set $ow (i32.const 0))
        (block $owdone (loop $owloop
          (br_if $owdone (i32.ge_u (local.get $ow) (local.get $OW)))
          (local.set $iw0 (i32.sub (i32.mul (local.get $ow) (local.get $sw)) (local.get $pl)))
          (local.set $kh (i32.const 0))
          (block $khdone (loop $khloop
            (br_if $khdone (i32.ge_u (local.get $kh) (local.get $KH)))
            (local.set $ih (i32.add (i32.sub (i32.mul (local.get $oh) (local.get $sh)) (local.get $pt))
              (i32.mul (local.get $kh) (local.get $dh))))
            (local.set $rowBase (i32.mul (i32.add (i32.mul (local.get $b) (local.get $H)) (local.get $ih)) (local.get $W)))
            (if (i32.ge_u (local.get $ih) (local.get $H))
              ;; Unsigned: a negative row is outside too.
              (then (call $zero (local.get $dst) (local.get $rowBytes)))
              (else (if (i32.eq (local.get $dw) (i32.const 1))
                (then
                  ;; Taps lo..hi are inside: iw0 + kw in [0, W).
                  (local.set $lo (select (i32.sub (i32.const 0) (local.get $iw0)) (i32.const 0)
                    (i32.lt_s (local.get $iw0) (i32.const 0))))
                  (local.set $hi (i32.sub (local.get $W) (local.get $iw0)))
                  (if (i32.gt_s (local.get $hi) (local.get $KW)) (then (local.set $hi (local.get $KW))))
                  (if (i32.gt_s (local.get $lo) (local.get $KW)) (then (local.set $lo (local.get $KW))))
                  (if (i32.lt_s (local.get $hi) (local.get $lo)) (then (local.set $hi (local.get $lo))))
                  (local.set $src (i32.add (local.get $x)
                    (i32.mul (i32.add (local.get $rowBase) (i32.add (local.get $iw0) (local.get $lo))) (local.get $C4))))
                  (if (i32.and (i32.and (i32.eqz (local.get $lo)) (i32.eq (local.get $hi) (local.get $KW)))
                        (i32.ge_u (local.get $rowBytes) (i32.const 16)))
                    (then
                      (local.set $off (i32.const 0))
                      (local.set $end (i32.sub (local.get $rowBytes) (i32.const 16)))
                      (block $rdone (loop $rloop
                        (br_if $rdone (i32.ge_u (local.get $off) (local.get $end)))
                        (v128.store align=4 (i32.add (local.get $dst) (local.get $off))
                          (v128.load align=4 (i32.add (local.get $src) (local.get $off))))
                        (local.set $off (i32.add (local.get $off) (i32.const 16)))
                        (br $rloop)))
                      (v128.store align=4 (i32.add (local.get $dst) (local.get $end))
                        (v128.load align=4 (i32.add (local.get $src) (local.get $end)))))
                    (else
                      (if (local.get $lo) (then (call $zero (local.get $dst) (i32.mul (local.get $lo) (local.get $C4)))))
                      (call $copy (i32.add (local.get $dst) (i32.mul (local.get $lo) (local.get $C4))) (local.get $src)
                        (i32.mul (i32.sub (local.get $hi) (local.get $lo)) (local.get $C4)))
                      (if (i32.lt_s (local.get $hi) (local.get $KW)) (then
                        (call $zero (i32.add (local.get $dst) (i32.mul (local.get $hi) (local.get $C4)))
                          (i32.mul (i32.sub (local.get $KW) (local.get $hi)) (local.get $C4))))))))
                (else
                  (local.set $kw (i32.const 0))
                  (block $kwdone (loop $kwloop
                    (br_if $kwdone (i32.ge_u (local.get $kw) (local.get $KW)))
                    (local.set $iw (i32.add (local.get $iw0) (i32.mul (local.get $kw) (local.get $dw))))
                    (if (i32.ge_u (local.get $iw) (local.get $W))
                      (then (call $zero (i32.add (local.get $dst) (i32.mul (local.get $kw) (local.get $C4))) (local.get $C4)))
                      (else (call $copy (i32.add (local.get $dst) (i32.mul (local.get $kw) (local.get $C4)))
                        (i32.add (local.get $x) (i32.mul (i32.add (local.get $rowBase) (local.get $iw)) (local.get $C4)))
                        (local.get $C4))))
                    (local.set $kw (i32.add (local.get $kw) (i32.const 1)))
                    (br $kwloop)))))))
            (local.set $dst (i32.add (local.get $dst) (local.get $rowBytes)))
            (local.set $kh (i32.add (local.get $kh) (i32.const 1)))
            (br $khloop)))
          (local.set $ow (i32.add (local.get $ow) (i32.const 1)))
          (br $owloop)))
        (local.set $oh (i32.add (local.get $oh) (i32.const 1)))
        (br $ohloop)))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $bloop))))

  ;; Adds n bytes (a multiple of 4) of floats at src into dst (not overlapping): 16 at a time, then 4.
  (func $accumulate (param $dst i32) (param $src i32) (param $n i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $dst) (i32.and (local.get $n) (i32.const -16))))
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $dst) (local.get $end)))
      (v128.store align=4 (local.get $dst)
        (f32x4.add (v128.load align=4 (local.get $dst)) (v128.load align=4 (local.get $src))))
      (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
      (local.set $src (i32.add (local.get $src) (i32.const 16)))
      (br $l)))
    (local.set $end (i32.add (local.get $end) (i32.and (local.get $n) (i32.const 12))))
    (block $done1 (loop $l1
      (br_if $done1 (i32.ge_u (local.get $dst) (local.get $end)))
      (f32.store (local.get $dst) (f32.add (f32.load (local.get $dst)) (f32.load (local.get $src))))
      (local.set $dst (i32.add (local.get $dst) (i32.const 4)))
      (local.set $src (i32.add (local.get $src) (i32.const 4)))
      (br $l1))))

  ;; col2im, the adjoint of im2col: adds every column of col [rows, KH·KW·C] (images [b0, b1)) into
  ;; the image position im2col read it from, in dx [B, H, W, C] (which the caller zeroes first);
  ;; taps outside the image are dropped. Rows in order (b, oh, ow), then kh, then the taps of a
  ;; filter row (one run when dw = 1): the same additions, in the same order, as a loop over taps.
  (func (export "col2im")
    (param $col i32) (param $dx i32) (param $b0 i32) (param $b1 i32)
    (param $H i32) (param $W i32) (param $C i32) (param $OH i32) (param $OW i32)
    (param $KH i32) (param $KW i32) (param $sh i32) (param $sw i32) (param $dh i32) (param $dw i32)
    (param $pt i32) (param $pl i32)
    (local $b i32) (local $oh i32) (local $ow i32) (local $kh i32) (local $kw i32)
    (local $ih i32) (local $iw i32) (local $iw0 i32) (local $lo i32) (local $hi i32)
    (local $src i32) (local $C4 i32) (local $rowBytes i32) (local $rowBase i32)
    (local.set $C4 (i32.shl (local.get $C) (i32.const 2)))
    (local.set $rowBytes (i32.mul (local.get $KW) (local.get $C4)))
    (local.set $src (local.get $col))
    (local.set $b (local.get $b0))
    (block $bdone (loop $bloop
      (br_if $bdone (i32.ge_u (local.get $b) (local.get $b1)))
      (local.set $oh (i32.const 0))
      (block $ohdone (loop $ohloop
        (br_if $ohdone (i32.ge_u (local.get $oh) (local.get $OH)))
        (local.set $ow (i32.const 0))
        (block $owdone (loop $owloop
          (br_if $owdone (i32.ge_u (local.get $ow) (local.get $OW)))
          (local.set $iw0 (i32.sub (i32.mul (local.get $ow) (local.get $sw)) (local.get $pl)))
          (local.set $kh (i32.const 0))
          (block $khdone (loop $khloop
            (br_if $khdone (i32.ge_u (local.get $kh) (local.get $KH)))
            (local.set $ih (i32.add (i32.sub (i32.mul (local.get $oh) (local.get $sh)) (local.get $pt))
              (i32.mul (local.get $kh) (local.get $dh))))
            (local.set $rowBase (i32.mul (i32.add (i32.mul (local.get $b) (local.get $H)) (local.get $ih)) (local.get $W)))
            (if (i32.lt_u (local.get $ih) (local.get $H)) (then
              (if (i32.eq (local.get $dw) (i32.const 1))
                (then
                  (local.set $lo (select (i32.sub (i32.const 0) (local.get $iw0)) (i32.const 0)
                    (i32.lt_s (local.get $iw0) (i32.const 0))))
                  (local.set $hi (i32.sub (local.get $W) (local.get $iw0)))
                  (if (i32.gt_s (local.get $hi) (local.get $KW)) (then (local.set $hi (local.get $KW))))
                  (if (i32.lt_s (local.get $hi) (local.get $lo)) (then (local.set $hi (local.get $lo))))
                  (call $accumulate
                    (i32.add (local.get $dx)
                      (i32.mul (i32.add (local.get $rowBase) (i32.add (local.get $iw0) (local.get $lo))) (local.get $C4)))
                    (i32.add (local.get $src) (i32.mul (local.get $lo) (local.get $C4)))
                    (i32.mul (i32.sub (local.get $hi) (local.get $lo)) (local.get $C4))))
                (else
                  (local.set $kw (i32.const 0))
                  (block $kwdone (loop $kwloop
                    (br_if $kwdone (i32.ge_u (local.get $kw) (local.get $KW)))
                    (local.set $iw (i32.add (local.get $iw0) (i32.mul (local.get $kw) (local.get $dw))))
                    (if (i32.lt_u (local.get $iw) (local.get $W)) (then
                      (call $accumulate
                        (i32.add (local.get $dx) (i32.mul (i32.add (local.get $rowBase) (local.get $iw)) (local.get $C4)))
                        (i32.add (local.get $src) (i32.mul (local.get $kw) (local.get $C4)))
                        (local.get $C4))))
                    (local.set $kw (i32.add (local.get $kw) (i32.const 1)))
                    (br $kwloop)))))))
            (local.set $src (i32.add (local.get $src) (local.get $rowBytes)))
            (local.set $kh (i32.add (local.get $kh) (i32.const 1)))
            (br $khloop)))
          (local.set $ow (i32.add (local.get $ow) (i32.const 1)))
          (br $owloop)))
        (local.set $oh (i32.add (local.get $oh) (i32.const 1)))
        (br $ohloop)))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $bloop))))

  ;; dx[a] += g when a ≥ 0 (a: a float index into dx; −1 for a window with no maximum).
  (func $route (param $dx i32) (param $a i32) (param $g f32)
    (local $p i32)
    (if (i32.ge_s (local.get $a) (i32.const 0)) (then
      (local.set $p (i32.add (local.get $dx) (i32.shl (local.get $a) (i32.const 2))))
      (f32.store (local.get $p) (f32.add (f32.load (local.get $p)) (local.get $g))))))

  ;; MaxPoolGrad (NHWC): dx zeroed, then each output's gradient added at the position of its window's
  ;; maximum: the first in row-major window order (strictly greater, from −∞), padding excluded, a
  ;; window of only −∞ or NaN routing nowhere (as the cpu backend). Channels four at a time (a
  ;; comparison mask picks value and index per lane), then one at a time.
  (func (export "max_pool_grad")
    (param $x i32) (param $dy i32) (param $dx i32)
    (param $B i32) (param $H i32) (param $W i32) (param $C i32) (param $OH i32) (param $OW i32)
    (param $KH i32) (param $KW i32) (param $sh i32) (param $sw i32) (param $pt i32) (param $pl i32)
    (local $b i32) (local $yr i32) (local $yc i32) (local $r i32) (local $c i32) (local $d i32)
    (local $rS i32) (local $rE i32) (local $cS i32) (local $cE i32) (local $g i32) (local $i i32)
    (local $at i32) (local $best f32) (local $v f32)
    (local $bestv v128) (local $atv v128) (local $vv v128) (local $m v128) (local $gv v128)
    (call $zero (local.get $dx)
      (i32.shl (i32.mul (i32.mul (local.get $B) (local.get $H)) (i32.mul (local.get $W) (local.get $C))) (i32.const 2)))
    (local.set $g (local.get $dy))
    (block $bdone (loop $bloop
      (br_if $bdone (i32.ge_u (local.get $b) (local.get $B)))
      (local.set $yr (i32.const 0))
      (block $rdone (loop $rloop
        (br_if $rdone (i32.ge_u (local.get $yr) (local.get $OH)))
        (local.set $rS (i32.sub (i32.mul (local.get $yr) (local.get $sh)) (local.get $pt)))
        (local.set $rE (i32.add (local.get $rS) (local.get $KH)))
        (if (i32.lt_s (local.get $rS) (i32.const 0)) (then (local.set $rS (i32.const 0))))
        (if (i32.gt_s (local.get $rE) (local.get $H)) (then (local.set $rE (local.get $H))))
        (local.set $yc (i32.const 0))
        (block $cdone (loop $cloop
          (br_if $cdone (i32.ge_u (local.get $yc) (local.get $OW)))
          (local.set $cS (i32.sub (i32.mul (local.get $yc) (local.get $sw)) (local.get $pl)))
          (local.set $cE (i32.add (local.get $cS) (local.get $KW)))
          (if (i32.lt_s (local.get $cS) (i32.const 0)) (then (local.set $cS (i32.const 0))))
          (if (i32.gt_s (local.get $cE) (local.get $W)) (then (local.set $cE (local.get $W))))
          (local.set $d (i32.const 0))
          (block $vdone (loop $vloop
            (br_if $vdone (i32.gt_s (i32.add (local.get $d) (i32.const 4)) (local.get $C)))
            (local.set $bestv (v128.const f32x4 -inf -inf -inf -inf))
            (local.set $atv (v128.const i32x4 -1 -1 -1 -1))
            (local.set $r (local.get $rS))
            (block $wrdone (loop $wrloop
              (br_if $wrdone (i32.ge_s (local.get $r) (local.get $rE)))
              (local.set $c (local.get $cS))
              (block $wcdone (loop $wcloop
                (br_if $wcdone (i32.ge_s (local.get $c) (local.get $cE)))
                (local.set $i (i32.add (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $b) (local.get $H))
                  (local.get $r)) (local.get $W)) (local.get $c)) (local.get $C)) (local.get $d)))
                (local.set $vv (v128.load align=4 (i32.add (local.get $x) (i32.shl (local.get $i) (i32.const 2)))))
                (local.set $m (f32x4.gt (local.get $vv) (local.get $bestv)))
                (local.set $bestv (v128.bitselect (local.get $vv) (local.get $bestv) (local.get $m)))
                (local.set $atv (v128.bitselect
                  (i32x4.add (i32x4.splat (local.get $i)) (v128.const i32x4 0 1 2 3))
                  (local.get $atv) (local.get $m)))
                (local.set $c (i32.add (local.get $c) (i32.const 1)))
                (br $wcloop)))
              (local.set $r (i32.add (local.get $r) (i32.const 1)))
              (br $wrloop)))
            (local.set $gv (v128.load align=4 (i32.add (local.get $g) (i32.shl (local.get $d) (i32.const 2)))))
            (call $route (local.get $dx) (i32x4.extract_lane 0 (local.get $atv)) (f32x4.extract_lane 0 (local.get $gv)))
            (call $route (local.get $dx) (i32x4.extract_lane 1 (local.get $atv)) (f32x4.extract_lane 1 (local.get $gv)))
            (call $route (local.get $dx) (i32x4.extract_lane 2 (local.get $atv)) (f32x4.extract_lane 2 (local.get $gv)))
            (call $route (local.get $dx) (i32x4.extract_lane 3 (local.get $atv)) (f32x4.extract_lane 3 (local.get $gv)))
            (local.set $d (i32.add (local.get $d) (i32.const 4)))
            (br $vloop)))
          (block $sdone (loop $sloop
            (br_if $sdone (i32.ge_s (local.get $d) (local.get $C)))
            (local.set $best (f32.const -inf))
            (local.set $at (i32.const -1))
            (local.set $r (local.get $rS))
            (block $wrdone2 (loop $wrloop2
              (br_if $wrdone2 (i32.ge_s (local.get $r) (local.get $rE)))
              (local.set $c (local.get $cS))
              (block $wcdone2 (loop $wcloop2
                (br_if $wcdone2 (i32.ge_s (local.get $c) (local.get $cE)))
                (local.set $i (i32.add (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $b) (local.get $H))
                  (local.get $r)) (local.get $W)) (local.get $c)) (local.get $C)) (local.get $d)))
                (local.set $v (f32.load (i32.add (local.get $x) (i32.shl (local.get $i) (i32.const 2)))))
                (if (f32.gt (local.get $v) (local.get $best)) (then
                  (local.set $best (local.get $v))
                  (local.set $at (local.get $i))))
                (local.set $c (i32.add (local.get $c) (i32.const 1)))
                (br $wcloop2)))
              (local.set $r (i32.add (local.get $r) (i32.const 1)))
              (br $wrloop2)))
            (call $route (local.get $dx) (local.get $at)
              (f32.load (i32.add (local.get $g) (i32.shl (local.get $d) (i32.const 2)))))
            (local.set $d (i32.add (local.get $d) (i32.const 1)))
            (br $sloop)))
          (local.set $g (i32.add (local.get $g) (i32.shl (local.get $C) (i32.const 2))))
          (local.set $yc (i32.add (local.get $yc) (i32.const 1)))
          (br $cloop)))
        (local.set $yr (i32.add (local.get $yr) (i32.const 1)))
        (br $rloop)))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $bloop))))

  ;; out [rows, n] = a [rows, n] + b [n] (b added to every row): four at a time, then one at a time.
  (func (export "add_rows") (param $a i32) (param $b i32) (param $out i32) (param $rows i32) (param $n i32)
    (local $r i32) (local $j i32) (local $n4 i32) (local $nb i32) (local $pb i32)
    (local.set $nb (i32.shl (local.get $n) (i32.const 2)))
    (local.set $n4 (i32.and (local.get $nb) (i32.const -16)))
    (block $rdone (loop $rloop
      (br_if $rdone (i32.ge_u (local.get $r) (local.get $rows)))
      (local.set $j (i32.const 0))
      (block $vdone (loop $vloop
        (br_if $vdone (i32.ge_u (local.get $j) (local.get $n4)))
        (v128.store align=4 (i32.add (local.get $out) (local.get $j))
          (f32x4.add (v128.load align=4 (i32.add (local.get $a) (local.get $j)))
            (v128.load align=4 (i32.add (local.get $b) (local.get $j)))))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $vloop)))
      (block $sdone (loop $sloop
        (br_if $sdone (i32.ge_u (local.get $j) (local.get $nb)))
        (f32.store (i32.add (local.get $out) (local.get $j))
          (f32.add (f32.load (i32.add (local.get $a) (local.get $j)))
            (f32.load (i32.add (local.get $b) (local.get $j)))))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $sloop)))
      (local.set $a (i32.add (local.get $a) (local.get $nb)))
      (local.set $out (i32.add (local.get $out) (local.get $nb)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rloop))))

  ;; out [n] = a [n] + b or a · b (op 0: add, 1: multiply), b [n] or, when scalar is 1, one float
  ;; for every element: four at a time, then one at a time.
  (func (export "binary") (param $op i32) (param $a i32) (param $b i32) (param $out i32) (param $n i32)
    (param $scalar i32)
    (local $off i32) (local $end i32) (local $bv v128) (local $bs f32)
    (local.set $bs (f32.load (local.get $b)))
    (local.set $bv (f32x4.splat (local.get $bs)))
    (local.set $end (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2)))
    (block $vdone (loop $vloop
      (br_if $vdone (i32.ge_u (local.get $off) (local.get $end)))
      (if (i32.eqz (local.get $scalar)) (then (local.set $bv (v128.load align=4 (i32.add (local.get $b) (local.get $off))))))
      (v128.store align=4 (i32.add (local.get $out) (local.get $off))
        (if (result v128) (local.get $op)
          (then (f32x4.mul (v128.load align=4 (i32.add (local.get $a) (local.get $off))) (local.get $bv)))
          (else (f32x4.add (v128.load align=4 (i32.add (local.get $a) (local.get $off))) (local.get $bv)))))
      (local.set $off (i32.add (local.get $off) (i32.const 16)))
      (br $vloop)))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $sdone (loop $sloop
      (br_if $sdone (i32.ge_u (local.get $off) (local.get $end)))
      (if (i32.eqz (local.get $scalar)) (then (local.set $bs (f32.load (i32.add (local.get $b) (local.get $off))))))
      (f32.store (i32.add (local.get $out) (local.get $off))
        (if (result f32) (local.get $op)
          (then (f32.mul (f32.load (i32.add (local.get $a) (local.get $off))) (local.get $bs)))
          (else (f32.add (f32.load (i32.add (local.get $a) (local.get $off))) (local.get $bs)))))
      (local.set $off (i32.add (local.get $off) (i32.const 4)))
      (br $sloop))))

  ;; Dropout's multiplier from seedrandom's alea generator, exactly: alea's doubles s = x·2^-32 with
  ;; t = 2091639·s₀ + c·2^-32, s' = t − floor(t), c' = floor(t) are exact, so in integers
  ;; T = 2091639·x₀ + c, x' = T mod 2^32, c' = T >> 32 (state x₀, x₁, x₂, c as alea holds it ×2^32).
  ;; Each u = float32(x'·2^-32) gives out = float32(floor(float32(u + keep)) / keep) (tf.dropout's add,
  ;; floor and div in float32).
  (func (export "alea_dropout")
    (param $out i32) (param $n i32) (param $x0 i64) (param $x1 i64) (param $x2 i64) (param $c i64)
    (param $keep f32)
    (local $t i64) (local $end i32)
    (local.set $end (i32.add (local.get $out) (i32.shl (local.get $n) (i32.const 2))))
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $out) (local.get $end)))
      (local.set $t (i64.add (i64.mul (local.get $x0) (i64.const 2091639)) (local.get $c)))
      (local.set $x0 (local.get $x1))
      (local.set $x1 (local.get $x2))
      (local.set $c (i64.shr_u (local.get $t) (i64.const 32)))
      (local.set $x2 (i64.and (local.get $t) (i64.const 0xffffffff)))
      (f32.store (local.get $out)
        (f32.div
          (f32.floor (f32.add
            (f32.demote_f64 (f64.mul (f64.convert_i64_u (local.get $x2)) (f64.const 0x1p-32)))
            (local.get $keep)))
          (local.get $keep)))
      (local.set $out (i32.add (local.get $out) (i32.const 4)))
      (br $l))))

  ;; ReLU and its gradient, exactly as TensorFlow.js computes them: relu(x) = x for x > 0 and for NaN,
  ;; else +0 (−0 too), and the gradient dy · step(x) with step(x) = NaN for NaN, 1 for x > 0, else 0
  ;; (one pass instead of Step, Cast and Multiply). Byte offsets, n floats.
  (func (export "relu") (param $x i32) (param $out i32) (param $n i32)
    (local $off i32) (local $end i32) (local $v v128) (local $f f32)
    (local.set $end (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2)))
    (block $vdone (loop $vloop
      (br_if $vdone (i32.ge_u (local.get $off) (local.get $end)))
      (local.set $v (v128.load align=4 (i32.add (local.get $x) (local.get $off))))
      (v128.store align=4 (i32.add (local.get $out) (local.get $off))
        (v128.and (local.get $v)
          (v128.or (f32x4.gt (local.get $v) (v128.const f32x4 0 0 0 0)) (f32x4.ne (local.get $v) (local.get $v)))))
      (local.set $off (i32.add (local.get $off) (i32.const 16)))
      (br $vloop)))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $sdone (loop $sloop
      (br_if $sdone (i32.ge_u (local.get $off) (local.get $end)))
      (local.set $f (f32.load (i32.add (local.get $x) (local.get $off))))
      (f32.store (i32.add (local.get $out) (local.get $off))
        (select (local.get $f) (f32.const 0)
          (i32.or (f32.gt (local.get $f) (f32.const 0)) (f32.ne (local.get $f) (local.get $f)))))
      (local.set $off (i32.add (local.get $off) (i32.const 4)))
      (br $sloop))))

  (func (export "relu_grad") (param $dy i32) (param $x i32) (param $out i32) (param $n i32)
    (local $off i32) (local $end i32) (local $v v128) (local $s v128) (local $f f32) (local $t f32)
    (local.set $end (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2)))
    (block $vdone (loop $vloop
      (br_if $vdone (i32.ge_u (local.get $off) (local.get $end)))
      (local.set $v (v128.load align=4 (i32.add (local.get $x) (local.get $off))))
      ;; step: 1 where x > 0, else 0; NaN (x itself) where x ≠ x.
      (local.set $s (v128.and (f32x4.gt (local.get $v) (v128.const f32x4 0 0 0 0)) (v128.const f32x4 1 1 1 1)))
      (local.set $s (v128.bitselect (local.get $v) (local.get $s) (f32x4.ne (local.get $v) (local.get $v))))
      (v128.store align=4 (i32.add (local.get $out) (local.get $off))
        (f32x4.mul (v128.load align=4 (i32.add (local.get $dy) (local.get $off))) (local.get $s)))
      (local.set $off (i32.add (local.get $off) (i32.const 16)))
      (br $vloop)))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $sdone (loop $sloop
      (br_if $sdone (i32.ge_u (local.get $off) (local.get $end)))
      (local.set $f (f32.load (i32.add (local.get $x) (local.get $off))))
      (local.set $t (select (f32.const 1) (f32.const 0) (f32.gt (local.get $f) (f32.const 0))))
      (local.set $t (select (local.get $f) (local.get $t) (f32.ne (local.get $f) (local.get $f))))
      (f32.store (i32.add (local.get $out) (local.get $off))
        (f32.mul (f32.load (i32.add (local.get $dy) (local.get $off))) (local.get $t)))
      (local.set $off (i32.add (local.get $off) (i32.const 4)))
      (br $sloop))))

  ;; Column sums: out [cols] = Σ over r (in order) of x [rows, cols]. Byte offsets.
  (func (export "sum_rows") (param $x i32) (param $out i32) (param $rows i32) (param $cols i32)
    (local $r i32) (local $c i32) (local $c4 i32) (local $row i32) (local $p i32)
    (memory.fill (local.get $out) (i32.const 0) (i32.shl (local.get $cols) (i32.const 2)))
    (local.set $c4 (i32.shl (i32.and (local.get $cols) (i32.const -4)) (i32.const 2)))
    (local.set $row (local.get $x))
    (block $rdone (loop $rloop
      (br_if $rdone (i32.ge_u (local.get $r) (local.get $rows)))
      (local.set $c (i32.const 0))
      (block $vdone (loop $vloop
        (br_if $vdone (i32.ge_u (local.get $c) (local.get $c4)))
        (local.set $p (i32.add (local.get $out) (local.get $c)))
        (v128.store align=4 (local.get $p)
          (f32x4.add (v128.load align=4 (local.get $p)) (v128.load align=4 (i32.add (local.get $row) (local.get $c)))))
        (local.set $c (i32.add (local.get $c) (i32.const 16)))
        (br $vloop)))
      (block $sdone (loop $sloop
        (br_if $sdone (i32.ge_u (local.get $c) (i32.shl (local.get $cols) (i32.const 2))))
        (local.set $p (i32.add (local.get $out) (local.get $c)))
        (f32.store (local.get $p)
          (f32.add (f32.load (local.get $p)) (f32.load (i32.add (local.get $row) (local.get $c)))))
        (local.set $c (i32.add (local.get $c) (i32.const 4)))
        (br $sloop)))
      (local.set $row (i32.add (local.get $row) (i32.shl (local.get $cols) (i32.const 2))))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rloop))))

  ;; ---------------------------------------------------------------------------------------------
  ;; Direct convolutions (no column matrix) for Conv2D and its filter and input gradients, and
  ;; MaxPoolGrad on windows that tile the input. Output channels four at a time (a vector of co), a
  ;; count of channels that is not a multiple of four taking the last four (lanes already done
  ;; either recomputed to the same value or masked). Each sum in the same order, in float32, as the
  ;; kernel it replaces: XNNPACK's convolution (taps (kh, kw, ci) in order, from 0) for the forward;
  ;; im2col + gemm (rows (b, oh, ow) in order, from 0) for the filter gradient; gemm + col2im for the
  ;; input gradient.
  ;; ---------------------------------------------------------------------------------------------

  ;; xp [B, Hp, Wp, C] = x [B, H, W, C] moved by (pt, pl), zeros elsewhere (what falls beyond Hp or
  ;; Wp dropped): a convolution's input with its padding made explicit.
  (func (export "pad_nhwc")
    (param $x i32) (param $xp i32) (param $B i32) (param $H i32) (param $W i32) (param $C i32)
    (param $Hp i32) (param $Wp i32) (param $pt i32) (param $pl i32)
    (local $b i32) (local $h i32) (local $n i32) (local $C4 i32)
    (local.set $C4 (i32.shl (local.get $C) (i32.const 2)))
    (memory.fill (local.get $xp) (i32.const 0)
      (i32.mul (i32.mul (local.get $B) (local.get $Hp)) (i32.mul (local.get $Wp) (local.get $C4))))
    (local.set $n (i32.sub (local.get $Wp) (local.get $pl)))
    (if (i32.gt_s (local.get $n) (local.get $W)) (then (local.set $n (local.get $W))))
    (if (i32.le_s (local.get $n) (i32.const 0)) (then (return)))
    (block $bdone (loop $bloop
      (br_if $bdone (i32.ge_u (local.get $b) (local.get $B)))
      (local.set $h (i32.const 0))
      (block $hdone (loop $hloop
        (br_if $hdone (i32.ge_u (local.get $h) (local.get $H)))
        (br_if $hdone (i32.ge_u (i32.add (local.get $h) (local.get $pt)) (local.get $Hp)))
        (memory.copy
          (i32.add (local.get $xp) (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $b) (local.get $Hp))
            (i32.add (local.get $h) (local.get $pt))) (local.get $Wp)) (local.get $pl)) (local.get $C4)))
          (i32.add (local.get $x) (i32.mul (i32.mul (i32.add (i32.mul (local.get $b) (local.get $H)) (local.get $h))
            (local.get $W)) (local.get $C4)))
          (i32.mul (local.get $n) (local.get $C4)))
        (local.set $h (i32.add (local.get $h) (i32.const 1)))
        (br $hloop)))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $bloop))))

  ;; Lanes l of a vector of channels starting at channel c that are channel `from` or after.
  (func $lanes_from (param $c i32) (param $from i32) (result v128)
    (i32x4.ge_s (i32x4.add (i32x4.splat (local.get $c)) (v128.const i32x4 0 1 2 3)) (i32x4.splat (local.get $from))))

  ;; Conv2D, NHWC: out [B, OH, OW, CO] from the padded input xp [B, Hp, Wp, C] and w [KH, KW, C, CO]:
  ;;   out[b, oh, ow, co] = Σ over (kh, kw, ci) in order of xp[b, oh·sh + kh·dh, ow·sw + kw·dw, ci]·w[kh, kw, ci, co]
  ;; from 0, in float32. Blocks of 4 output pixels (along ow) × 8 channels (two vectors: channels
  ;; cb.. and cb+4.., each at most CO − 4); then the pixels left one at a time. Needs CO ≥ 4.
  (func (export "conv_forward")
    (param $x i32) (param $w i32) (param $out i32) (param $B i32) (param $Hp i32) (param $Wp i32) (param $C i32)
    (param $OH i32) (param $OW i32) (param $KH i32) (param $KW i32) (param $sh i32) (param $sw i32)
    (param $dh i32) (param $dw i32) (param $CO i32)
    (local $b i32) (local $oh i32) (local $ow i32) (local $cb i32) (local $c0 i32) (local $c1 i32)
    (local $kh i32) (local $kw i32) (local $ci i32) (local $nkw i32) (local $nci i32)
    (local $pxBase i32) (local $poBase i32) (local $px i32) (local $prow i32) (local $ptap i32) (local $pw i32) (local $po i32)
    (local $ps i32) (local $ps2 i32) (local $ps3 i32) (local $rowX i32) (local $colX i32) (local $wrow i32)
    (local $w0 v128) (local $w1 v128) (local $s v128)
    (local $a00 v128) (local $a01 v128) (local $a10 v128) (local $a11 v128)
    (local $a20 v128) (local $a21 v128) (local $a30 v128) (local $a31 v128)
    (local.set $ps (i32.shl (i32.mul (local.get $sw) (local.get $C)) (i32.const 2)))
    (local.set $ps2 (i32.shl (local.get $ps) (i32.const 1)))
    (local.set $ps3 (i32.add (local.get $ps2) (local.get $ps)))
    (local.set $rowX (i32.shl (i32.mul (i32.mul (local.get $dh) (local.get $Wp)) (local.get $C)) (i32.const 2)))
    (local.set $colX (i32.shl (i32.mul (local.get $dw) (local.get $C)) (i32.const 2)))
    (local.set $wrow (i32.shl (local.get $CO) (i32.const 2)))
    ;; Without dilation across, a filter row's taps are KW·C consecutive floats (one loop).
    (local.set $nkw (local.get $KW))
    (local.set $nci (local.get $C))
    (if (i32.eq (local.get $dw) (i32.const 1)) (then
      (local.set $nkw (i32.const 1))
      (local.set $nci (i32.mul (local.get $KW) (local.get $C)))))
    (block $bdone (loop $bloop
      (br_if $bdone (i32.ge_u (local.get $b) (local.get $B)))
      (local.set $oh (i32.const 0))
      (block $ohdone (loop $ohloop
        (br_if $ohdone (i32.ge_u (local.get $oh) (local.get $OH)))
        (local.set $pxBase (i32.add (local.get $x) (i32.shl (i32.mul (i32.mul (i32.add (i32.mul (local.get $b) (local.get $Hp))
          (i32.mul (local.get $oh) (local.get $sh))) (local.get $Wp)) (local.get $C)) (i32.const 2))))
        (local.set $poBase (i32.add (local.get $out) (i32.shl (i32.mul (i32.mul (i32.add (i32.mul (local.get $b) (local.get $OH))
          (local.get $oh)) (local.get $OW)) (local.get $CO)) (i32.const 2))))
        (local.set $cb (i32.const 0))
        (block $cbdone (loop $cbloop
          (br_if $cbdone (i32.ge_u (local.get $cb) (local.get $CO)))
          (local.set $c0 (local.get $cb))
          (if (i32.gt_s (local.get $c0) (i32.sub (local.get $CO) (i32.const 4)))
            (then (local.set $c0 (i32.sub (local.get $CO) (i32.const 4)))))
          (local.set $c1 (i32.add (local.get $cb) (i32.const 4)))
          (if (i32.gt_s (local.get $c1) (i32.sub (local.get $CO) (i32.const 4)))
            (then (local.set $c1 (i32.sub (local.get $CO) (i32.const 4)))))
          (local.set $c0 (i32.shl (local.get $c0) (i32.const 2)))
          (local.set $c1 (i32.shl (local.get $c1) (i32.const 2)))
          ;; Four pixels at a time.
          (local.set $ow (i32.const 0))
          (block $owdone (loop $owloop
            (br_if $owdone (i32.gt_s (i32.add (local.get $ow) (i32.const 4)) (local.get $OW)))
            (local.set $a00 (v128.const i32x4 0 0 0 0))
            (local.set $a01 (v128.const i32x4 0 0 0 0))
            (local.set $a10 (v128.const i32x4 0 0 0 0))
            (local.set $a11 (v128.const i32x4 0 0 0 0))
            (local.set $a20 (v128.const i32x4 0 0 0 0))
            (local.set $a21 (v128.const i32x4 0 0 0 0))
            (local.set $a30 (v128.const i32x4 0 0 0 0))
            (local.set $a31 (v128.const i32x4 0 0 0 0))
            (local.set $px (i32.add (local.get $pxBase) (i32.mul (local.get $ow) (local.get $ps))))
            (local.set $pw (local.get $w))
            (local.set $kh (i32.const 0))
            (block $khdone (loop $khloop
              (br_if $khdone (i32.ge_u (local.get $kh) (local.get $KH)))
              (local.set $prow (i32.add (local.get $px) (i32.mul (local.get $kh) (local.get $rowX))))
              (local.set $kw (i32.const 0))
              (block $kwdone (loop $kwloop
                (br_if $kwdone (i32.ge_u (local.get $kw) (local.get $nkw)))
                (local.set $ptap (i32.add (local.get $prow) (i32.mul (local.get $kw) (local.get $colX))))
                (local.set $ci (local.get $nci))
                (block $cidone (loop $ciloop
                  (br_if $cidone (i32.eqz (local.get $ci)))
                  (local.set $w0 (v128.load align=4 (i32.add (local.get $pw) (local.get $c0))))
                  (local.set $w1 (v128.load align=4 (i32.add (local.get $pw) (local.get $c1))))
                  (local.set $s (v128.load32_splat align=4 (local.get $ptap)))
                  (local.set $a00 (f32x4.add (local.get $a00) (f32x4.mul (local.get $s) (local.get $w0))))
                  (local.set $a01 (f32x4.add (local.get $a01) (f32x4.mul (local.get $s) (local.get $w1))))
                  (local.set $s (v128.load32_splat align=4 (i32.add (local.get $ptap) (local.get $ps))))
                  (local.set $a10 (f32x4.add (local.get $a10) (f32x4.mul (local.get $s) (local.get $w0))))
                  (local.set $a11 (f32x4.add (local.get $a11) (f32x4.mul (local.get $s) (local.get $w1))))
                  (local.set $s (v128.load32_splat align=4 (i32.add (local.get $ptap) (local.get $ps2))))
                  (local.set $a20 (f32x4.add (local.get $a20) (f32x4.mul (local.get $s) (local.get $w0))))
                  (local.set $a21 (f32x4.add (local.get $a21) (f32x4.mul (local.get $s) (local.get $w1))))
                  (local.set $s (v128.load32_splat align=4 (i32.add (local.get $ptap) (local.get $ps3))))
                  (local.set $a30 (f32x4.add (local.get $a30) (f32x4.mul (local.get $s) (local.get $w0))))
                  (local.set $a31 (f32x4.add (local.get $a31) (f32x4.mul (local.get $s) (local.get $w1))))
                  (local.set $ptap (i32.add (local.get $ptap) (i32.const 4)))
                  (local.set $pw (i32.add (local.get $pw) (local.get $wrow)))
                  (local.set $ci (i32.sub (local.get $ci) (i32.const 1)))
                  (br $ciloop)))
                (local.set $kw (i32.add (local.get $kw) (i32.const 1)))
                (br $kwloop)))
              (local.set $kh (i32.add (local.get $kh) (i32.const 1)))
              (br $khloop)))
            (local.set $po (i32.add (local.get $poBase) (i32.mul (local.get $ow) (local.get $wrow))))
            (v128.store align=4 (i32.add (local.get $po) (local.get $c0)) (local.get $a00))
            (v128.store align=4 (i32.add (local.get $po) (local.get $c1)) (local.get $a01))
            (local.set $po (i32.add (local.get $po) (local.get $wrow)))
            (v128.store align=4 (i32.add (local.get $po) (local.get $c0)) (local.get $a10))
            (v128.store align=4 (i32.add (local.get $po) (local.get $c1)) (local.get $a11))
            (local.set $po (i32.add (local.get $po) (local.get $wrow)))
            (v128.store align=4 (i32.add (local.get $po) (local.get $c0)) (local.get $a20))
            (v128.store align=4 (i32.add (local.get $po) (local.get $c1)) (local.get $a21))
            (local.set $po (i32.add (local.get $po) (local.get $wrow)))
            (v128.store align=4 (i32.add (local.get $po) (local.get $c0)) (local.get $a30))
            (v128.store align=4 (i32.add (local.get $po) (local.get $c1)) (local.get $a31))
            (local.set $ow (i32.add (local.get $ow) (i32.const 4)))
            (br $owloop)))
          ;; The pixels left, one at a time.
          (block $ow1done (loop $ow1loop
            (br_if $ow1done (i32.ge_u (local.get $ow) (local.get $OW)))
            (local.set $a00 (v128.const i32x4 0 0 0 0))
            (local.set $a01 (v128.const i32x4 0 0 0 0))
            (local.set $px (i32.add (local.get $pxBase) (i32.mul (local.get $ow) (local.get $ps))))
            (local.set $pw (local.get $w))
            (local.set $kh (i32.const 0))
            (block $khdone1 (loop $khloop1
              (br_if $khdone1 (i32.ge_u (local.get $kh) (local.get $KH)))
              (local.set $prow (i32.add (local.get $px) (i32.mul (local.get $kh) (local.get $rowX))))
              (local.set $kw (i32.const 0))
              (block $kwdone1 (loop $kwloop1
                (br_if $kwdone1 (i32.ge_u (local.get $kw) (local.get $nkw)))
                (local.set $ptap (i32.add (local.get $prow) (i32.mul (local.get $kw) (local.get $colX))))
                (local.set $ci (local.get $nci))
                (block $cidone1 (loop $ciloop1
                  (br_if $cidone1 (i32.eqz (local.get $ci)))
                  (local.set $s (v128.load32_splat align=4 (local.get $ptap)))
                  (local.set $a00 (f32x4.add (local.get $a00)
                    (f32x4.mul (local.get $s) (v128.load align=4 (i32.add (local.get $pw) (local.get $c0))))))
                  (local.set $a01 (f32x4.add (local.get $a01)
                    (f32x4.mul (local.get $s) (v128.load align=4 (i32.add (local.get $pw) (local.get $c1))))))
                  (local.set $ptap (i32.add (local.get $ptap) (i32.const 4)))
                  (local.set $pw (i32.add (local.get $pw) (local.get $wrow)))
                  (local.set $ci (i32.sub (local.get $ci) (i32.const 1)))
                  (br $ciloop1)))
                (local.set $kw (i32.add (local.get $kw) (i32.const 1)))
                (br $kwloop1)))
              (local.set $kh (i32.add (local.get $kh) (i32.const 1)))
              (br $khloop1)))
            (local.set $po (i32.add (local.get $poBase) (i32.mul (local.get $ow) (local.get $wrow))))
            (v128.store align=4 (i32.add (local.get $po) (local.get $c0)) (local.get $a00))
            (v128.store align=4 (i32.add (local.get $po) (local.get $c1)) (local.get $a01))
            (local.set $ow (i32.add (local.get $ow) (i32.const 1)))
            (br $ow1loop)))
          (local.set $cb (i32.add (local.get $cb) (i32.const 8)))
          (br $cbloop)))
        (local.set $oh (i32.add (local.get $oh) (i32.const 1)))
        (br $ohloop)))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $bloop))))

  ;; Byte offset in the padded input of filter tap t = (kh, kw, ci) from its pixel's first tap.
  (func $tap_offset (param $t i32) (param $C i32) (param $KW i32) (param $Wp i32) (param $dh i32) (param $dw i32)
    (result i32)
    (local $q i32)
    (local.set $q (i32.div_u (local.get $t) (local.get $C)))
    (i32.shl
      (i32.add
        (i32.mul
          (i32.add
            (i32.mul (i32.mul (i32.div_u (local.get $q) (local.get $KW)) (local.get $dh)) (local.get $Wp))
            (i32.mul (i32.rem_u (local.get $q) (local.get $KW)) (local.get $dw)))
          (local.get $C))
        (i32.rem_u (local.get $t) (local.get $C)))
      (i32.const 2)))

  ;; Conv2DBackpropFilter, NHWC, images [b0, b1): out [K = KH·KW·C, CO] (overwritten) =
  ;;   Σ over (b, oh, ow) in order of xp[b, oh·sh + kh·dh, ow·sw + kw·dw, ci]·dy[b, oh, ow, co]
  ;; from 0, in float32 (row (kh, kw, ci)): im2col + gemm's sums, without the columns. Per image
  ;; (its dy and input stay in cache), per block of 8 channels, per group of 4 taps (the last group
  ;; the last 4, storing only the taps not done yet): 8 accumulators, taken from out, through the
  ;; image's rows, and back. Lanes of channels done by an earlier block are kept. Needs K, CO ≥ 4.
  (func (export "conv_filter_grad")
    (param $x i32) (param $dy i32) (param $out i32) (param $b0 i32) (param $b1 i32)
    (param $Hp i32) (param $Wp i32) (param $C i32) (param $OH i32) (param $OW i32)
    (param $KH i32) (param $KW i32) (param $sh i32) (param $sw i32) (param $dh i32) (param $dw i32) (param $CO i32)
    (local $b i32) (local $oh i32) (local $ow i32) (local $cb i32) (local $c0 i32) (local $c1 i32)
    (local $K i32) (local $g i32) (local $t0 i32) (local $o0 i32) (local $o1 i32) (local $o2 i32) (local $o3 i32)
    (local $pout i32) (local $pdy i32) (local $px i32) (local $ps i32) (local $wrow i32) (local $j i32) (local $p i32)
    (local $m0 v128) (local $m1 v128) (local $d0 v128) (local $d1 v128) (local $s v128)
    (local $a00 v128) (local $a01 v128) (local $a10 v128) (local $a11 v128)
    (local $a20 v128) (local $a21 v128) (local $a30 v128) (local $a31 v128)
    (local.set $K (i32.mul (i32.mul (local.get $KH) (local.get $KW)) (local.get $C)))
    (local.set $wrow (i32.shl (local.get $CO) (i32.const 2)))
    (local.set $ps (i32.shl (i32.mul (local.get $sw) (local.get $C)) (i32.const 2)))
    (memory.fill (local.get $out) (i32.const 0) (i32.mul (local.get $K) (local.get $wrow)))
    (local.set $b (local.get $b0))
    (block $bdone (loop $bloop
      (br_if $bdone (i32.ge_u (local.get $b) (local.get $b1)))
      (local.set $cb (i32.const 0))
      (block $cbdone (loop $cbloop
        (br_if $cbdone (i32.ge_u (local.get $cb) (local.get $CO)))
        (local.set $c0 (local.get $cb))
        (if (i32.gt_s (local.get $c0) (i32.sub (local.get $CO) (i32.const 4)))
          (then (local.set $c0 (i32.sub (local.get $CO) (i32.const 4)))))
        (local.set $c1 (i32.add (local.get $cb) (i32.const 4)))
        (if (i32.gt_s (local.get $c1) (i32.sub (local.get $CO) (i32.const 4)))
          (then (local.set $c1 (i32.sub (local.get $CO) (i32.const 4)))))
        (local.set $m0 (call $lanes_from (local.get $c0) (local.get $cb)))
        (local.set $m1 (call $lanes_from (local.get $c1) (local.get $cb)))
        (local.set $c0 (i32.shl (local.get $c0) (i32.const 2)))
        (local.set $c1 (i32.shl (local.get $c1) (i32.const 2)))
        (local.set $g (i32.const 0))
        (block $gdone (loop $gloop
          (br_if $gdone (i32.ge_u (local.get $g) (local.get $K)))
          (local.set $t0 (local.get $g))
          (if (i32.gt_s (local.get $t0) (i32.sub (local.get $K) (i32.const 4)))
            (then (local.set $t0 (i32.sub (local.get $K) (i32.const 4)))))
          (local.set $o0 (call $tap_offset (local.get $t0) (local.get $C) (local.get $KW) (local.get $Wp) (local.get $dh) (local.get $dw)))
          (local.set $o1 (call $tap_offset (i32.add (local.get $t0) (i32.const 1)) (local.get $C) (local.get $KW) (local.get $Wp) (local.get $dh) (local.get $dw)))
          (local.set $o2 (call $tap_offset (i32.add (local.get $t0) (i32.const 2)) (local.get $C) (local.get $KW) (local.get $Wp) (local.get $dh) (local.get $dw)))
          (local.set $o3 (call $tap_offset (i32.add (local.get $t0) (i32.const 3)) (local.get $C) (local.get $KW) (local.get $Wp) (local.get $dh) (local.get $dw)))
          (local.set $pout (i32.add (local.get $out) (i32.mul (local.get $t0) (local.get $wrow))))
          (local.set $p (local.get $pout))
          (local.set $a00 (v128.load align=4 (i32.add (local.get $p) (local.get $c0))))
          (local.set $a01 (v128.load align=4 (i32.add (local.get $p) (local.get $c1))))
          (local.set $p (i32.add (local.get $p) (local.get $wrow)))
          (local.set $a10 (v128.load align=4 (i32.add (local.get $p) (local.get $c0))))
          (local.set $a11 (v128.load align=4 (i32.add (local.get $p) (local.get $c1))))
          (local.set $p (i32.add (local.get $p) (local.get $wrow)))
          (local.set $a20 (v128.load align=4 (i32.add (local.get $p) (local.get $c0))))
          (local.set $a21 (v128.load align=4 (i32.add (local.get $p) (local.get $c1))))
          (local.set $p (i32.add (local.get $p) (local.get $wrow)))
          (local.set $a30 (v128.load align=4 (i32.add (local.get $p) (local.get $c0))))
          (local.set $a31 (v128.load align=4 (i32.add (local.get $p) (local.get $c1))))
          (local.set $pdy (i32.add (local.get $dy)
            (i32.mul (i32.mul (i32.mul (local.get $b) (local.get $OH)) (local.get $OW)) (local.get $wrow))))
          (local.set $oh (i32.const 0))
          (block $ohdone (loop $ohloop
            (br_if $ohdone (i32.ge_u (local.get $oh) (local.get $OH)))
            (local.set $px (i32.add (local.get $x) (i32.shl (i32.mul (i32.mul (i32.add (i32.mul (local.get $b) (local.get $Hp))
              (i32.mul (local.get $oh) (local.get $sh))) (local.get $Wp)) (local.get $C)) (i32.const 2))))
            (local.set $ow (local.get $OW))
            (block $owdone (loop $owloop
              (br_if $owdone (i32.eqz (local.get $ow)))
              (local.set $d0 (v128.load align=4 (i32.add (local.get $pdy) (local.get $c0))))
              (local.set $d1 (v128.load align=4 (i32.add (local.get $pdy) (local.get $c1))))
              (local.set $s (v128.load32_splat align=4 (i32.add (local.get $px) (local.get $o0))))
              (local.set $a00 (f32x4.add (local.get $a00) (f32x4.mul (local.get $s) (local.get $d0))))
              (local.set $a01 (f32x4.add (local.get $a01) (f32x4.mul (local.get $s) (local.get $d1))))
              (local.set $s (v128.load32_splat align=4 (i32.add (local.get $px) (local.get $o1))))
              (local.set $a10 (f32x4.add (local.get $a10) (f32x4.mul (local.get $s) (local.get $d0))))
              (local.set $a11 (f32x4.add (local.get $a11) (f32x4.mul (local.get $s) (local.get $d1))))
              (local.set $s (v128.load32_splat align=4 (i32.add (local.get $px) (local.get $o2))))
              (local.set $a20 (f32x4.add (local.get $a20) (f32x4.mul (local.get $s) (local.get $d0))))
              (local.set $a21 (f32x4.add (local.get $a21) (f32x4.mul (local.get $s) (local.get $d1))))
              (local.set $s (v128.load32_splat align=4 (i32.add (local.get $px) (local.get $o3))))
              (local.set $a30 (f32x4.add (local.get $a30) (f32x4.mul (local.get $s) (local.get $d0))))
              (local.set $a31 (f32x4.add (local.get $a31) (f32x4.mul (local.get $s) (local.get $d1))))
              (local.set $pdy (i32.add (local.get $pdy) (local.get $wrow)))
              (local.set $px (i32.add (local.get $px) (local.get $ps)))
              (local.set $ow (i32.sub (local.get $ow) (i32.const 1)))
              (br $owloop)))
            (local.set $oh (i32.add (local.get $oh) (i32.const 1)))
            (br $ohloop)))
          ;; Store the taps t0 + j ≥ g (the earlier ones are done), channels from cb.
          (local.set $p (local.get $pout))
          (if (i32.ge_s (local.get $t0) (local.get $g)) (then (call $store_masked (local.get $p) (local.get $c0) (local.get $c1)
            (local.get $a00) (local.get $a01) (local.get $m0) (local.get $m1))))
          (local.set $p (i32.add (local.get $p) (local.get $wrow)))
          (if (i32.ge_s (i32.add (local.get $t0) (i32.const 1)) (local.get $g)) (then (call $store_masked (local.get $p)
            (local.get $c0) (local.get $c1) (local.get $a10) (local.get $a11) (local.get $m0) (local.get $m1))))
          (local.set $p (i32.add (local.get $p) (local.get $wrow)))
          (if (i32.ge_s (i32.add (local.get $t0) (i32.const 2)) (local.get $g)) (then (call $store_masked (local.get $p)
            (local.get $c0) (local.get $c1) (local.get $a20) (local.get $a21) (local.get $m0) (local.get $m1))))
          (local.set $p (i32.add (local.get $p) (local.get $wrow)))
          (if (i32.ge_s (i32.add (local.get $t0) (i32.const 3)) (local.get $g)) (then (call $store_masked (local.get $p)
            (local.get $c0) (local.get $c1) (local.get $a30) (local.get $a31) (local.get $m0) (local.get $m1))))
          (local.set $g (i32.add (local.get $g) (i32.const 4)))
          (br $gloop)))
        (local.set $cb (i32.add (local.get $cb) (i32.const 8)))
        (br $cbloop)))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $bloop))))

  ;; Stores a0 at p + c0 and a1 at p + c1 (bytes), each only in the lanes its mask selects.
  (func $store_masked (param $p i32) (param $c0 i32) (param $c1 i32) (param $a0 v128) (param $a1 v128)
    (param $m0 v128) (param $m1 v128)
    (local $q i32)
    (local.set $q (i32.add (local.get $p) (local.get $c0)))
    (v128.store align=4 (local.get $q) (v128.bitselect (local.get $a0) (v128.load align=4 (local.get $q)) (local.get $m0)))
    (local.set $q (i32.add (local.get $p) (local.get $c1)))
    (v128.store align=4 (local.get $q) (v128.bitselect (local.get $a1) (v128.load align=4 (local.get $q)) (local.get $m1))))

  ;; MaxPoolGrad (NHWC) for windows that tile the input (strides = window, no padding): each window
  ;; position gets 0 + its output's gradient where it is the window's maximum (the first in row-major
  ;; order, strictly greater, from −∞; none for a window of only −∞ or NaN), else 0: max_pool_grad's
  ;; result (each position is in one window at most) written once, without zeroing dx first.
  ;; Positions in no window (beyond OH·KH rows or OW·KW columns) are zeroed. Needs C ≥ 4.
  (func (export "max_pool_grad_tiled")
    (param $x i32) (param $dy i32) (param $dx i32)
    (param $B i32) (param $H i32) (param $W i32) (param $C i32) (param $OH i32) (param $OW i32)
    (param $KH i32) (param $KW i32)
    (local $b i32) (local $yr i32) (local $yc i32) (local $r i32) (local $c i32) (local $d i32) (local $q i32)
    (local $C4 i32) (local $rowB i32) (local $base i32) (local $p i32) (local $pg i32) (local $n i32)
    (local $best v128) (local $at v128) (local $v v128) (local $m v128) (local $g v128)
    (local.set $C4 (i32.shl (local.get $C) (i32.const 2)))
    (local.set $rowB (i32.mul (local.get $W) (local.get $C4)))
    (local.set $pg (local.get $dy))
    (block $bdone (loop $bloop
      (br_if $bdone (i32.ge_u (local.get $b) (local.get $B)))
      (local.set $yr (i32.const 0))
      (block $rdone (loop $rloop
        (br_if $rdone (i32.ge_u (local.get $yr) (local.get $OH)))
        (local.set $yc (i32.const 0))
        (block $cdone (loop $cloop
          (br_if $cdone (i32.ge_u (local.get $yc) (local.get $OW)))
          (local.set $base (i32.add
            (i32.mul (i32.add (i32.mul (local.get $b) (local.get $H)) (i32.mul (local.get $yr) (local.get $KH))) (local.get $rowB))
            (i32.mul (i32.mul (local.get $yc) (local.get $KW)) (local.get $C4))))
          (local.set $d (i32.const 0))
          (block $vdone (loop $vloop
            (br_if $vdone (i32.ge_u (local.get $d) (local.get $C4)))
            (if (i32.gt_s (local.get $d) (i32.sub (local.get $C4) (i32.const 16)))
              (then (local.set $d (i32.sub (local.get $C4) (i32.const 16)))))
            (local.set $best (v128.const f32x4 -inf -inf -inf -inf))
            (local.set $at (v128.const i32x4 -1 -1 -1 -1))
            (local.set $q (i32.const 0))
            (local.set $r (i32.const 0))
            (block $wrdone (loop $wrloop
              (br_if $wrdone (i32.ge_u (local.get $r) (local.get $KH)))
              (local.set $p (i32.add (i32.add (local.get $base) (i32.mul (local.get $r) (local.get $rowB))) (local.get $d)))
              (local.set $c (local.get $KW))
              (block $wcdone (loop $wcloop
                (br_if $wcdone (i32.eqz (local.get $c)))
                (local.set $v (v128.load align=4 (i32.add (local.get $x) (local.get $p))))
                (local.set $m (f32x4.gt (local.get $v) (local.get $best)))
                (local.set $best (v128.bitselect (local.get $v) (local.get $best) (local.get $m)))
                (local.set $at (v128.bitselect (i32x4.splat (local.get $q)) (local.get $at) (local.get $m)))
                (local.set $q (i32.add (local.get $q) (i32.const 1)))
                (local.set $p (i32.add (local.get $p) (local.get $C4)))
                (local.set $c (i32.sub (local.get $c) (i32.const 1)))
                (br $wcloop)))
              (local.set $r (i32.add (local.get $r) (i32.const 1)))
              (br $wrloop)))
            (local.set $g (f32x4.add (v128.const f32x4 0 0 0 0)
              (v128.load align=4 (i32.add (local.get $pg) (local.get $d)))))
            (local.set $q (i32.const 0))
            (local.set $r (i32.const 0))
            (block $wrdone2 (loop $wrloop2
              (br_if $wrdone2 (i32.ge_u (local.get $r) (local.get $KH)))
              (local.set $p (i32.add (i32.add (local.get $base) (i32.mul (local.get $r) (local.get $rowB))) (local.get $d)))
              (local.set $c (local.get $KW))
              (block $wcdone2 (loop $wcloop2
                (br_if $wcdone2 (i32.eqz (local.get $c)))
                (v128.store align=4 (i32.add (local.get $dx) (local.get $p))
                  (v128.and (local.get $g) (i32x4.eq (local.get $at) (i32x4.splat (local.get $q)))))
                (local.set $q (i32.add (local.get $q) (i32.const 1)))
                (local.set $p (i32.add (local.get $p) (local.get $C4)))
                (local.set $c (i32.sub (local.get $c) (i32.const 1)))
                (br $wcloop2)))
              (local.set $r (i32.add (local.get $r) (i32.const 1)))
              (br $wrloop2)))
            (local.set $d (i32.add (local.get $d) (i32.const 16)))
            (br $vloop)))
          (local.set $pg (i32.add (local.get $pg) (local.get $C4)))
          (local.set $yc (i32.add (local.get $yc) (i32.const 1)))
          (br $cloop)))
        ;; Columns beyond the last window of these KH rows.
        (local.set $n (i32.mul (i32.sub (local.get $W) (i32.mul (local.get $OW) (local.get $KW))) (local.get $C4)))
        (if (local.get $n) (then
          (local.set $r (i32.const 0))
          (block $zdone (loop $zloop
            (br_if $zdone (i32.ge_u (local.get $r) (local.get $KH)))
            (memory.fill
              (i32.add (local.get $dx) (i32.add
                (i32.mul (i32.add (i32.add (i32.mul (local.get $b) (local.get $H)) (i32.mul (local.get $yr) (local.get $KH)))
                  (local.get $r)) (local.get $rowB))
                (i32.sub (local.get $rowB) (local.get $n))))
              (i32.const 0) (local.get $n))
            (local.set $r (i32.add (local.get $r) (i32.const 1)))
            (br $zloop)))))
        (local.set $yr (i32.add (local.get $yr) (i32.const 1)))
        (br $rloop)))
      ;; Rows beyond the last window.
      (memory.fill
        (i32.add (local.get $dx) (i32.mul (i32.add (i32.mul (local.get $b) (local.get $H)) (i32.mul (local.get $OH) (local.get $KH)))
          (local.get $rowB)))
        (i32.const 0)
        (i32.mul (i32.sub (local.get $H) (i32.mul (local.get $OH) (local.get $KH))) (local.get $rowB)))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $bloop))))

  ;; pad_nhwc's adjoint crop: x [B, H, W, C] = xp [B, Hp, Wp, C] at (h + pt, w + pl), 0 where that
  ;; is beyond Hp or Wp.
  (func (export "crop_nhwc")
    (param $xp i32) (param $x i32) (param $B i32) (param $H i32) (param $W i32) (param $C i32)
    (param $Hp i32) (param $Wp i32) (param $pt i32) (param $pl i32)
    (local $b i32) (local $h i32) (local $n i32) (local $C4 i32)
    (local.set $C4 (i32.shl (local.get $C) (i32.const 2)))
    (memory.fill (local.get $x) (i32.const 0)
      (i32.mul (i32.mul (local.get $B) (local.get $H)) (i32.mul (local.get $W) (local.get $C4))))
    (local.set $n (i32.sub (local.get $Wp) (local.get $pl)))
    (if (i32.gt_s (local.get $n) (local.get $W)) (then (local.set $n (local.get $W))))
    (if (i32.le_s (local.get $n) (i32.const 0)) (then (return)))
    (block $bdone (loop $bloop
      (br_if $bdone (i32.ge_u (local.get $b) (local.get $B)))
      (local.set $h (i32.const 0))
      (block $hdone (loop $hloop
        (br_if $hdone (i32.ge_u (local.get $h) (local.get $H)))
        (br_if $hdone (i32.ge_u (i32.add (local.get $h) (local.get $pt)) (local.get $Hp)))
        (memory.copy
          (i32.add (local.get $x) (i32.mul (i32.mul (i32.add (i32.mul (local.get $b) (local.get $H)) (local.get $h))
            (local.get $W)) (local.get $C4)))
          (i32.add (local.get $xp) (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $b) (local.get $Hp))
            (i32.add (local.get $h) (local.get $pt))) (local.get $Wp)) (local.get $pl)) (local.get $C4)))
          (i32.mul (local.get $n) (local.get $C4)))
        (local.set $h (i32.add (local.get $h) (i32.const 1)))
        (br $hloop)))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $bloop))))

  ;; Conv2DBackpropInput, NHWC, no dilation across, filter rows of 28 to 32 values (L = KW·C): dx
  ;; [B, Hp, Wp, C] (the padded input's shape; zeroed here) gets, for every row (b, oh, ow) in order,
  ;; then every filter row kh, the run t[j] = Σ over co in order of dy[b, oh, ow, co]·wt[co, kh, j]
  ;; (from 0) added at (oh·sh + kh·dh, ow·sw) on: gemm + col2im's sums in the same order, without the
  ;; columns. wt is the filter [KH, KW, C, CO] transposed to [CO, KH, KW, C]. The run as 8 vectors
  ;; from 4v, the last from min(28, L − 4) (adding only its lanes from 28 on).
  (func (export "conv_input_grad")
    (param $dy i32) (param $wt i32) (param $dx i32) (param $B i32) (param $Hp i32) (param $Wp i32) (param $C i32)
    (param $OH i32) (param $OW i32) (param $KH i32) (param $KW i32) (param $sh i32) (param $sw i32)
    (param $dh i32) (param $CO i32)
    (local $b i32) (local $oh i32) (local $ow i32) (local $kh i32) (local $co i32) (local $L i32)
    (local $coStride i32) (local $rowStride i32) (local $pdy i32) (local $pd i32) (local $prun i32) (local $pw i32) (local $coEnd i32)
    (local $q7 i32) (local $p i32)
    (local $m7 v128) (local $s v128) (local $old v128)
    (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (local.set $L (i32.mul (local.get $KW) (local.get $C)))
    (local.set $coStride (i32.shl (i32.mul (local.get $KH) (local.get $L)) (i32.const 2)))
    (local.set $rowStride (i32.shl (i32.mul (i32.mul (local.get $dh) (local.get $Wp)) (local.get $C)) (i32.const 2)))
    ;; Vectors 0-6 at 4v; vector 7 at min(28, L − 4), adding its lanes from 28 on.
    (local.set $q7 (i32.sub (local.get $L) (i32.const 4)))
    (if (i32.gt_s (local.get $q7) (i32.const 28)) (then (local.set $q7 (i32.const 28))))
    (local.set $m7 (call $lanes_from (local.get $q7) (i32.const 28)))
    (local.set $q7 (i32.shl (local.get $q7) (i32.const 2)))
    (memory.fill (local.get $dx) (i32.const 0)
      (i32.shl (i32.mul (i32.mul (local.get $B) (local.get $Hp)) (i32.mul (local.get $Wp) (local.get $C))) (i32.const 2)))
    (local.set $pdy (local.get $dy))
    (block $bdone (loop $bloop
      (br_if $bdone (i32.ge_u (local.get $b) (local.get $B)))
      (local.set $oh (i32.const 0))
      (block $ohdone (loop $ohloop
        (br_if $ohdone (i32.ge_u (local.get $oh) (local.get $OH)))
        (local.set $ow (i32.const 0))
        (block $owdone (loop $owloop
          (br_if $owdone (i32.ge_u (local.get $ow) (local.get $OW)))
          (local.set $pd (i32.add (local.get $dx) (i32.shl (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $b) (local.get $Hp))
            (i32.mul (local.get $oh) (local.get $sh))) (local.get $Wp)) (i32.mul (local.get $ow) (local.get $sw))) (local.get $C))
            (i32.const 2))))
          (local.set $kh (i32.const 0))
          (block $khdone (loop $khloop
            (br_if $khdone (i32.ge_u (local.get $kh) (local.get $KH)))
            (local.set $prun (i32.add (local.get $pd) (i32.mul (local.get $kh) (local.get $rowStride))))
            ;; Vectors 0-3, then 4-7: four accumulators at a time (eight do not fit in the registers).
            (local.set $pw (i32.add (local.get $wt) (i32.shl (i32.mul (local.get $kh) (local.get $L)) (i32.const 2))))
            (local.set $coEnd (i32.add (local.get $pdy) (i32.shl (local.get $CO) (i32.const 2))))
            (local.set $t0 (v128.const i32x4 0 0 0 0))
            (local.set $t1 (v128.const i32x4 0 0 0 0))
            (local.set $t2 (v128.const i32x4 0 0 0 0))
            (local.set $t3 (v128.const i32x4 0 0 0 0))
            (local.set $p (local.get $pw))
            (local.set $co (local.get $pdy))
            (block $codone (loop $coloop
              (br_if $codone (i32.ge_u (local.get $co) (local.get $coEnd)))
              (local.set $s (v128.load32_splat align=4 (local.get $co)))
              (local.set $t0 (f32x4.add (local.get $t0) (f32x4.mul (local.get $s) (v128.load align=4 (local.get $p)))))
              (local.set $t1 (f32x4.add (local.get $t1) (f32x4.mul (local.get $s) (v128.load offset=16 align=4 (local.get $p)))))
              (local.set $t2 (f32x4.add (local.get $t2) (f32x4.mul (local.get $s) (v128.load offset=32 align=4 (local.get $p)))))
              (local.set $t3 (f32x4.add (local.get $t3) (f32x4.mul (local.get $s) (v128.load offset=48 align=4 (local.get $p)))))
              (local.set $p (i32.add (local.get $p) (local.get $coStride)))
              (local.set $co (i32.add (local.get $co) (i32.const 4)))
              (br $coloop)))
            (local.set $p (local.get $prun))
            (v128.store align=4 (local.get $p) (f32x4.add (v128.load align=4 (local.get $p)) (local.get $t0)))
            (v128.store offset=16 align=4 (local.get $p) (f32x4.add (v128.load offset=16 align=4 (local.get $p)) (local.get $t1)))
            (v128.store offset=32 align=4 (local.get $p) (f32x4.add (v128.load offset=32 align=4 (local.get $p)) (local.get $t2)))
            (v128.store offset=48 align=4 (local.get $p) (f32x4.add (v128.load offset=48 align=4 (local.get $p)) (local.get $t3)))
            (local.set $t0 (v128.const i32x4 0 0 0 0))
            (local.set $t1 (v128.const i32x4 0 0 0 0))
            (local.set $t2 (v128.const i32x4 0 0 0 0))
            (local.set $t3 (v128.const i32x4 0 0 0 0))
            (local.set $p (local.get $pw))
            (local.set $co (local.get $pdy))
            (block $codone2 (loop $coloop2
              (br_if $codone2 (i32.ge_u (local.get $co) (local.get $coEnd)))
              (local.set $s (v128.load32_splat align=4 (local.get $co)))
              (local.set $t0 (f32x4.add (local.get $t0) (f32x4.mul (local.get $s) (v128.load offset=64 align=4 (local.get $p)))))
              (local.set $t1 (f32x4.add (local.get $t1) (f32x4.mul (local.get $s) (v128.load offset=80 align=4 (local.get $p)))))
              (local.set $t2 (f32x4.add (local.get $t2) (f32x4.mul (local.get $s) (v128.load offset=96 align=4 (local.get $p)))))
              (local.set $t3 (f32x4.add (local.get $t3)
                (f32x4.mul (local.get $s) (v128.load align=4 (i32.add (local.get $p) (local.get $q7))))))
              (local.set $p (i32.add (local.get $p) (local.get $coStride)))
              (local.set $co (i32.add (local.get $co) (i32.const 4)))
              (br $coloop2)))
            (local.set $p (local.get $prun))
            (v128.store offset=64 align=4 (local.get $p) (f32x4.add (v128.load offset=64 align=4 (local.get $p)) (local.get $t0)))
            (v128.store offset=80 align=4 (local.get $p) (f32x4.add (v128.load offset=80 align=4 (local.get $p)) (local.get $t1)))
            (v128.store offset=96 align=4 (local.get $p) (f32x4.add (v128.load offset=96 align=4 (local.get $p)) (local.get $t2)))
            ;; Vector 7 in its lanes from 28 (when 28 < L).
            (if (i32.gt_u (local.get $L) (i32.const 28)) (then
              (local.set $p (i32.add (local.get $prun) (local.get $q7)))
              (local.set $old (v128.load align=4 (local.get $p)))
              (v128.store align=4 (local.get $p)
                (v128.bitselect (f32x4.add (local.get $old) (local.get $t3)) (local.get $old) (local.get $m7)))))
            (local.set $kh (i32.add (local.get $kh) (i32.const 1)))
            (br $khloop)))
          (local.set $pdy (i32.add (local.get $pdy) (i32.shl (local.get $CO) (i32.const 2))))
          (local.set $ow (i32.add (local.get $ow) (i32.const 1)))
          (br $owloop)))
        (local.set $oh (i32.add (local.get $oh) (i32.const 1)))
        (br $ohloop)))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $bloop))))
  ;; The recurrences' activations over whole rows (branch rnn).
  ;; ---------------------------------------------------------------------------------------------

  ;; dst [n] = σ(src [n]) (n ≥ 4; src and dst do not overlap): the same operations as $sigmoid, on
  ;; four groups of four floats at a time, their statements interleaved (each σ is a long chain of
  ;; dependent operations: called per group, ~45 cycles a group; here ~17), then one group at a time
  ;; (the last overlapping when n mod 4 ≠ 0). 2ᵏ's exponent bits as (k + 1.5·2²³)'s low bits (k is a
  ;; whole number in [−126, 127] there): the same value as a conversion to integer, in fewer
  ;; instructions. Bit for bit $sigmoid's result.
  (func $sigmoid_span (param $src i32) (param $dst i32) (param $n i32)
    (local $o i32) (local $end i32) (local $endw i32)
    (local $x0 v128) (local $k0 v128) (local $r0 v128) (local $p0 v128)
    (local $x1 v128) (local $k1 v128) (local $r1 v128) (local $p1 v128)
    (local $x2 v128) (local $k2 v128) (local $r2 v128) (local $p2 v128)
    (local $x3 v128) (local $k3 v128) (local $r3 v128) (local $p3 v128)
    (local $lo v128) (local $hi v128) (local $log2e v128) (local $ln2a v128) (local $ln2b v128)
    (local $P0 v128) (local $P1 v128) (local $P2 v128) (local $P3 v128) (local $P4 v128)
    (local $P5 v128) (local $one v128) (local $magic v128) (local $bias v128)
    (local.set $lo (v128.const f32x4 -87 -87 -87 -87))
    (local.set $hi (v128.const f32x4 88 88 88 88))
    (local.set $log2e
      (v128.const f32x4 1.44269504088896341 1.44269504088896341 1.44269504088896341 1.44269504088896341))
    (local.set $ln2a (v128.const f32x4 0.693359375 0.693359375 0.693359375 0.693359375))
    (local.set $ln2b (v128.const f32x4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4 -2.12194440e-4))
    (local.set $P0 (v128.const f32x4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4 1.9875691500e-4))
    (local.set $P1 (v128.const f32x4 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3 1.3981999507e-3))
    (local.set $P2 (v128.const f32x4 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3 8.3334519073e-3))
    (local.set $P3 (v128.const f32x4 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2 4.1665795894e-2))
    (local.set $P4 (v128.const f32x4 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1 1.6666665459e-1))
    (local.set $P5 (v128.const f32x4 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1 5.0000001201e-1))
    (local.set $one (v128.const f32x4 1 1 1 1))
    (local.set $magic (v128.const f32x4 12582912 12582912 12582912 12582912))
    (local.set $bias (v128.const i32x4 0x4B3FFF81 0x4B3FFF81 0x4B3FFF81 0x4B3FFF81))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (local.set $endw (i32.and (local.get $end) (i32.const -64)))
    ;; 16 floats at a time.
    (block $wdone (loop $wl
      (br_if $wdone (i32.ge_u (local.get $o) (local.get $endw)))
      (local.set $x0
        (f32x4.pmin
          (f32x4.pmax (f32x4.neg (v128.load offset=0 align=4 (i32.add (local.get $src) (local.get $o))))
            (local.get $lo))
          (local.get $hi)))
      (local.set $x1
        (f32x4.pmin
          (f32x4.pmax (f32x4.neg (v128.load offset=16 align=4 (i32.add (local.get $src) (local.get $o))))
            (local.get $lo))
          (local.get $hi)))
      (local.set $x2
        (f32x4.pmin
          (f32x4.pmax (f32x4.neg (v128.load offset=32 align=4 (i32.add (local.get $src) (local.get $o))))
            (local.get $lo))
          (local.get $hi)))
      (local.set $x3
        (f32x4.pmin
          (f32x4.pmax (f32x4.neg (v128.load offset=48 align=4 (i32.add (local.get $src) (local.get $o))))
            (local.get $lo))
          (local.get $hi)))
      (local.set $k0 (f32x4.nearest (f32x4.mul (local.get $x0) (local.get $log2e))))
      (local.set $k1 (f32x4.nearest (f32x4.mul (local.get $x1) (local.get $log2e))))
      (local.set $k2 (f32x4.nearest (f32x4.mul (local.get $x2) (local.get $log2e))))
      (local.set $k3 (f32x4.nearest (f32x4.mul (local.get $x3) (local.get $log2e))))
      (local.set $r0
        (f32x4.sub (f32x4.sub (local.get $x0) (f32x4.mul (local.get $k0) (local.get $ln2a)))
          (f32x4.mul (local.get $k0) (local.get $ln2b))))
      (local.set $r1
        (f32x4.sub (f32x4.sub (local.get $x1) (f32x4.mul (local.get $k1) (local.get $ln2a)))
          (f32x4.mul (local.get $k1) (local.get $ln2b))))
      (local.set $r2
        (f32x4.sub (f32x4.sub (local.get $x2) (f32x4.mul (local.get $k2) (local.get $ln2a)))
          (f32x4.mul (local.get $k2) (local.get $ln2b))))
      (local.set $r3
        (f32x4.sub (f32x4.sub (local.get $x3) (f32x4.mul (local.get $k3) (local.get $ln2a)))
          (f32x4.mul (local.get $k3) (local.get $ln2b))))
      (local.set $p0 (f32x4.add (f32x4.mul (local.get $P0) (local.get $r0)) (local.get $P1)))
      (local.set $p1 (f32x4.add (f32x4.mul (local.get $P0) (local.get $r1)) (local.get $P1)))
      (local.set $p2 (f32x4.add (f32x4.mul (local.get $P0) (local.get $r2)) (local.get $P1)))
      (local.set $p3 (f32x4.add (f32x4.mul (local.get $P0) (local.get $r3)) (local.get $P1)))
      (local.set $p0 (f32x4.add (f32x4.mul (local.get $p0) (local.get $r0)) (local.get $P2)))
      (local.set $p1 (f32x4.add (f32x4.mul (local.get $p1) (local.get $r1)) (local.get $P2)))
      (local.set $p2 (f32x4.add (f32x4.mul (local.get $p2) (local.get $r2)) (local.get $P2)))
      (local.set $p3 (f32x4.add (f32x4.mul (local.get $p3) (local.get $r3)) (local.get $P2)))
      (local.set $p0 (f32x4.add (f32x4.mul (local.get $p0) (local.get $r0)) (local.get $P3)))
      (local.set $p1 (f32x4.add (f32x4.mul (local.get $p1) (local.get $r1)) (local.get $P3)))
      (local.set $p2 (f32x4.add (f32x4.mul (local.get $p2) (local.get $r2)) (local.get $P3)))
      (local.set $p3 (f32x4.add (f32x4.mul (local.get $p3) (local.get $r3)) (local.get $P3)))
      (local.set $p0 (f32x4.add (f32x4.mul (local.get $p0) (local.get $r0)) (local.get $P4)))
      (local.set $p1 (f32x4.add (f32x4.mul (local.get $p1) (local.get $r1)) (local.get $P4)))
      (local.set $p2 (f32x4.add (f32x4.mul (local.get $p2) (local.get $r2)) (local.get $P4)))
      (local.set $p3 (f32x4.add (f32x4.mul (local.get $p3) (local.get $r3)) (local.get $P4)))
      (local.set $p0 (f32x4.add (f32x4.mul (local.get $p0) (local.get $r0)) (local.get $P5)))
      (local.set $p1 (f32x4.add (f32x4.mul (local.get $p1) (local.get $r1)) (local.get $P5)))
      (local.set $p2 (f32x4.add (f32x4.mul (local.get $p2) (local.get $r2)) (local.get $P5)))
      (local.set $p3 (f32x4.add (f32x4.mul (local.get $p3) (local.get $r3)) (local.get $P5)))
      (local.set $p0
        (f32x4.add
          (f32x4.add (f32x4.mul (f32x4.mul (local.get $p0) (local.get $r0)) (local.get $r0))
            (local.get $r0))
          (local.get $one)))
      (local.set $p1
        (f32x4.add
          (f32x4.add (f32x4.mul (f32x4.mul (local.get $p1) (local.get $r1)) (local.get $r1))
            (local.get $r1))
          (local.get $one)))
      (local.set $p2
        (f32x4.add
          (f32x4.add (f32x4.mul (f32x4.mul (local.get $p2) (local.get $r2)) (local.get $r2))
            (local.get $r2))
          (local.get $one)))
      (local.set $p3
        (f32x4.add
          (f32x4.add (f32x4.mul (f32x4.mul (local.get $p3) (local.get $r3)) (local.get $r3))
            (local.get $r3))
          (local.get $one)))
      (v128.store offset=0 align=4 (i32.add (local.get $dst) (local.get $o))
        (f32x4.div (local.get $one)
          (f32x4.add (local.get $one)
            (f32x4.mul (local.get $p0)
              (i32x4.shl (i32x4.sub (f32x4.add (local.get $k0) (local.get $magic)) (local.get $bias))
                (i32.const 23))))))
      (v128.store offset=16 align=4 (i32.add (local.get $dst) (local.get $o))
        (f32x4.div (local.get $one)
          (f32x4.add (local.get $one)
            (f32x4.mul (local.get $p1)
              (i32x4.shl (i32x4.sub (f32x4.add (local.get $k1) (local.get $magic)) (local.get $bias))
                (i32.const 23))))))
      (v128.store offset=32 align=4 (i32.add (local.get $dst) (local.get $o))
        (f32x4.div (local.get $one)
          (f32x4.add (local.get $one)
            (f32x4.mul (local.get $p2)
              (i32x4.shl (i32x4.sub (f32x4.add (local.get $k2) (local.get $magic)) (local.get $bias))
                (i32.const 23))))))
      (v128.store offset=48 align=4 (i32.add (local.get $dst) (local.get $o))
        (f32x4.div (local.get $one)
          (f32x4.add (local.get $one)
            (f32x4.mul (local.get $p3)
              (i32x4.shl (i32x4.sub (f32x4.add (local.get $k3) (local.get $magic)) (local.get $bias))
                (i32.const 23))))))
      (local.set $o (i32.add (local.get $o) (i32.const 64)))
      (br $wl)))
    (if (i32.ge_u (local.get $o) (local.get $end)) (then (return)))
    ;; Four at a time, the last four floats as one group.
    (loop $l
      (if (i32.gt_u (i32.add (local.get $o) (i32.const 16)) (local.get $end))
        (then (local.set $o (i32.sub (local.get $end) (i32.const 16)))))
      (local.set $x0
        (f32x4.pmin
          (f32x4.pmax (f32x4.neg (v128.load offset=0 align=4 (i32.add (local.get $src) (local.get $o))))
            (local.get $lo))
          (local.get $hi)))
      (local.set $k0 (f32x4.nearest (f32x4.mul (local.get $x0) (local.get $log2e))))
      (local.set $r0
        (f32x4.sub (f32x4.sub (local.get $x0) (f32x4.mul (local.get $k0) (local.get $ln2a)))
          (f32x4.mul (local.get $k0) (local.get $ln2b))))
      (local.set $p0 (f32x4.add (f32x4.mul (local.get $P0) (local.get $r0)) (local.get $P1)))
      (local.set $p0 (f32x4.add (f32x4.mul (local.get $p0) (local.get $r0)) (local.get $P2)))
      (local.set $p0 (f32x4.add (f32x4.mul (local.get $p0) (local.get $r0)) (local.get $P3)))
      (local.set $p0 (f32x4.add (f32x4.mul (local.get $p0) (local.get $r0)) (local.get $P4)))
      (local.set $p0 (f32x4.add (f32x4.mul (local.get $p0) (local.get $r0)) (local.get $P5)))
      (local.set $p0
        (f32x4.add
          (f32x4.add (f32x4.mul (f32x4.mul (local.get $p0) (local.get $r0)) (local.get $r0))
            (local.get $r0))
          (local.get $one)))
      (v128.store offset=0 align=4 (i32.add (local.get $dst) (local.get $o))
        (f32x4.div (local.get $one)
          (f32x4.add (local.get $one)
            (f32x4.mul (local.get $p0)
              (i32x4.shl (i32x4.sub (f32x4.add (local.get $k0) (local.get $magic)) (local.get $bias))
                (i32.const 23))))))
      (local.set $o (i32.add (local.get $o) (i32.const 16)))
      (br_if $l (i32.lt_u (local.get $o) (local.get $end)))))

  ;; UnsortedSegmentSum of float32 rows (an embedding's gradient, kernels/segment.ts): out [S, inner]
  ;; = 0, then x's row r added to out's row ids[r] for r in order (ids outside [0, S) skipped): per
  ;; element the same additions in the same order as a loop over the rows. Byte offsets.
  (func (export "segment_sum") (param $x i32) (param $ids i32) (param $out i32) (param $rows i32)
    (param $inner i32) (param $S i32)
    (local $r i32) (local $s i32) (local $j i32) (local $n4 i32) (local $rowB i32) (local $src i32) (local $dst i32)
    (local.set $rowB (i32.shl (local.get $inner) (i32.const 2)))
    (local.set $n4 (i32.and (local.get $rowB) (i32.const -16)))
    (memory.fill (local.get $out) (i32.const 0) (i32.mul (local.get $S) (local.get $rowB)))
    (local.set $src (local.get $x))
    (block $rdone (loop $rloop
      (br_if $rdone (i32.ge_u (local.get $r) (local.get $rows)))
      (local.set $s (i32.load (i32.add (local.get $ids) (i32.shl (local.get $r) (i32.const 2)))))
      ;; Unsigned: a negative id is out of range too.
      (if (i32.lt_u (local.get $s) (local.get $S)) (then
        (local.set $dst (i32.add (local.get $out) (i32.mul (local.get $s) (local.get $rowB))))
        (local.set $j (i32.const 0))
        (block $vdone (loop $vloop
          (br_if $vdone (i32.ge_u (local.get $j) (local.get $n4)))
          (v128.store align=4 (i32.add (local.get $dst) (local.get $j))
            (f32x4.add (v128.load align=4 (i32.add (local.get $dst) (local.get $j)))
              (v128.load align=4 (i32.add (local.get $src) (local.get $j)))))
          (local.set $j (i32.add (local.get $j) (i32.const 16)))
          (br $vloop)))
        (block $sdone (loop $sloop
          (br_if $sdone (i32.ge_u (local.get $j) (local.get $rowB)))
          (f32.store (i32.add (local.get $dst) (local.get $j))
            (f32.add (f32.load (i32.add (local.get $dst) (local.get $j)))
              (f32.load (i32.add (local.get $src) (local.get $j)))))
          (local.set $j (i32.add (local.get $j) (i32.const 4)))
          (br $sloop)))))
      (local.set $src (i32.add (local.get $src) (local.get $rowB)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rloop))))

  ;; The fused LSTM's weight gradients in one pass over dz [T·B, G] (G a multiple of 16; time-major
  ;; as lstm_backward writes it, read in batch-major order k = n·T + t), each C element Σ over rows in order, in float32 (so exactly what gemm_packed gives
  ;; for dW = Xᵀ·dZ, sum_rows for db and previousHiddenProduct's gemm for dR, zero terms included):
  ;;   db [G] = Σ_k dz_k;  dW [D, G] = Σ_k x_kᵀ·dz_k;  dR [U, G] = Σ_{k ≥ 1} h_{k−1}ᵀ·dz'_k
  ;; with x [B·T, D], h [B·T, U] (the hidden states) and dz' = dz with each sequence's first step
  ;; zeroed. dz is read once: per chunk of kc rows (kc ≥ 1) packed into 16-column panels at w
  ;; ($pack_rows_tm), each panel used by db (A a single 1.0 at w + 4·kc·G, stride 0), dW (A = xᵀ in
  ;; place), then, its first-step rows zeroed, dR (A = hᵀ from the row before). Scratch w: kc·G + 1
  ;; floats. Byte offsets.
  (func (export "rnn_weight_grads")
    (param $x i32) (param $h i32) (param $dz i32) (param $dW i32) (param $dR i32) (param $db i32)
    (param $w i32) (param $kcMax i32) (param $B i32) (param $T i32) (param $D i32) (param $U i32) (param $G i32)
    (local $K i32) (local $k0 i32) (local $kc i32) (local $j i32) (local $pw i32) (local $pend i32)
    (local $one i32) (local $rowB i32) (local $n i32) (local $f i32)
    (local.set $K (i32.mul (local.get $B) (local.get $T)))
    (local.set $rowB (i32.shl (local.get $G) (i32.const 2)))
    (local.set $one (i32.add (local.get $w) (i32.mul (local.get $kcMax) (local.get $rowB))))
    (f32.store (local.get $one) (f32.const 1))
    (memory.fill (local.get $db) (i32.const 0) (local.get $rowB))
    (memory.fill (local.get $dW) (i32.const 0) (i32.mul (local.get $D) (local.get $rowB)))
    (memory.fill (local.get $dR) (i32.const 0) (i32.mul (local.get $U) (local.get $rowB)))
    (block $chunks_done (loop $chunks
      (br_if $chunks_done (i32.ge_u (local.get $k0) (local.get $K)))
      (local.set $kc (i32.sub (local.get $K) (local.get $k0)))
      (if (i32.gt_u (local.get $kc) (local.get $kcMax)) (then (local.set $kc (local.get $kcMax))))
      (call $pack_rows_tm (local.get $dz) (local.get $w) (local.get $k0) (local.get $kc) (local.get $G)
        (local.get $B) (local.get $T))
      (local.set $j (i32.const 0))
      (block $jdone (loop $jloop
        (br_if $jdone (i32.ge_u (local.get $j) (local.get $G)))
        (local.set $pw (i32.add (local.get $w) (i32.shl (i32.mul (local.get $j) (local.get $kc)) (i32.const 2))))
        (local.set $pend (i32.add (local.get $pw) (i32.shl (local.get $kc) (i32.const 6))))
        (call $panel16 (local.get $one) (i32.add (local.get $db) (i32.shl (local.get $j) (i32.const 2)))
          (local.get $pw) (local.get $pend) (i32.const 1) (local.get $rowB) (i32.const 0) (i32.const 0))
        (call $panel16 (i32.add (local.get $x) (i32.shl (i32.mul (local.get $k0) (local.get $D)) (i32.const 2)))
          (i32.add (local.get $dW) (i32.shl (local.get $j) (i32.const 2)))
          (local.get $pw) (local.get $pend) (local.get $D) (local.get $rowB) (i32.const 4) (i32.shl (local.get $D) (i32.const 2)))
        ;; dz': this panel's rows at each sequence's first step (rows n·T) set to zero.
        (local.set $n (i32.div_u (i32.add (local.get $k0) (i32.sub (local.get $T) (i32.const 1))) (local.get $T)))
        (block $zdone (loop $zloop
          (local.set $f (i32.mul (local.get $n) (local.get $T)))
          (br_if $zdone (i32.ge_u (local.get $f) (i32.add (local.get $k0) (local.get $kc))))
          (v128.store (i32.add (local.get $pw) (i32.shl (i32.sub (local.get $f) (local.get $k0)) (i32.const 6)))
            (v128.const i32x4 0 0 0 0))
          (v128.store offset=16 (i32.add (local.get $pw) (i32.shl (i32.sub (local.get $f) (local.get $k0)) (i32.const 6)))
            (v128.const i32x4 0 0 0 0))
          (v128.store offset=32 (i32.add (local.get $pw) (i32.shl (i32.sub (local.get $f) (local.get $k0)) (i32.const 6)))
            (v128.const i32x4 0 0 0 0))
          (v128.store offset=48 (i32.add (local.get $pw) (i32.shl (i32.sub (local.get $f) (local.get $k0)) (i32.const 6)))
            (v128.const i32x4 0 0 0 0))
          (local.set $n (i32.add (local.get $n) (i32.const 1)))
          (br $zloop)))
        ;; Row k pairs dz'_k with h_{k−1}: from the chunk's second row in the first chunk.
        (if (local.get $k0)
          (then
            (call $panel16 (i32.add (local.get $h) (i32.shl (i32.mul (i32.sub (local.get $k0) (i32.const 1)) (local.get $U)) (i32.const 2)))
              (i32.add (local.get $dR) (i32.shl (local.get $j) (i32.const 2)))
              (local.get $pw) (local.get $pend) (local.get $U) (local.get $rowB) (i32.const 4) (i32.shl (local.get $U) (i32.const 2))))
          (else (if (i32.gt_u (local.get $kc) (i32.const 1)) (then
            (call $panel16 (local.get $h) (i32.add (local.get $dR) (i32.shl (local.get $j) (i32.const 2)))
              (i32.add (local.get $pw) (i32.const 64)) (local.get $pend) (local.get $U) (local.get $rowB)
              (i32.const 4) (i32.shl (local.get $U) (i32.const 2)))))))
        (local.set $j (i32.add (local.get $j) (i32.const 16)))
        (br $jloop)))
      (local.set $k0 (i32.add (local.get $k0) (local.get $kc)))
      (br $chunks))))

  ;; GatherV2 along axis 0 of 4-byte elements (an embedding lookup, kernels/gather.ts): when every
  ;; id is in [0, rows), out's row i = x's row ids[i] (inner elements each) and the result is 1;
  ;; else 0 and nothing is written. Byte offsets.
  (func (export "gather_rows") (param $x i32) (param $ids i32) (param $out i32) (param $n i32)
    (param $inner i32) (param $rows i32) (result i32)
    (local $i i32) (local $rowB i32)
    (block $bad
      (block $ok (loop $check
        (br_if $ok (i32.ge_u (local.get $i) (local.get $n)))
        ;; Unsigned: a negative id is out of range too.
        (br_if $bad (i32.ge_u (i32.load (i32.add (local.get $ids) (i32.shl (local.get $i) (i32.const 2))))
          (local.get $rows)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $check)))
      (local.set $rowB (i32.shl (local.get $inner) (i32.const 2)))
      (local.set $i (i32.const 0))
      (block $done (loop $copy
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (memory.copy
          (i32.add (local.get $out) (i32.mul (local.get $i) (local.get $rowB)))
          (i32.add (local.get $x)
            (i32.mul (i32.load (i32.add (local.get $ids) (i32.shl (local.get $i) (i32.const 2)))) (local.get $rowB)))
          (local.get $rowB))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $copy)))
      (return (i32.const 1)))
    (i32.const 0))

  ;; $rnn_dx for dz time-major (lstm_backward): step t's rows are B consecutive rows at t·B.
  (func $rnn_dx_tm (param $dz i32) (param $Wt i32) (param $pWt i32) (param $dxt i32) (param $dx i32)
    (param $B i32) (param $T i32) (param $D i32) (param $G i32) (param $t i32)
    (local $n i32) (local $D4 i32)
    (local.set $D4 (i32.shl (local.get $D) (i32.const 2)))
    (call $rnn_mm
      (i32.add (local.get $dz) (i32.shl (i32.mul (i32.mul (local.get $t) (local.get $B)) (local.get $G)) (i32.const 2)))
      (local.get $Wt) (local.get $pWt) (local.get $dxt) (local.get $B) (local.get $G) (local.get $D) (local.get $G))
    (block $done (loop $l
      (br_if $done (i32.ge_u (local.get $n) (local.get $B)))
      (memory.copy
        (i32.add (local.get $dx)
          (i32.mul (i32.add (i32.mul (local.get $n) (local.get $T)) (local.get $t)) (local.get $D4)))
        (i32.add (local.get $dxt) (i32.mul (local.get $n) (local.get $D4)))
        (local.get $D4))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $l))))

  ;; $pack_panels for rows k0 .. k0 + kc in batch-major order (k = n·T + t) of a time-major dz
  ;; [T·B, G] (row (n, t) at t·B + n; G a multiple of 16): panel p at w + 64·p·kc, row k at
  ;; + 64·(k − k0).
  (func $pack_rows_tm (param $dz i32) (param $w i32) (param $k0 i32) (param $kc i32) (param $G i32)
    (param $B i32) (param $T i32)
    (local $k i32) (local $n i32) (local $t i32) (local $src i32) (local $dst i32) (local $p i32) (local $step i32)
    (local.set $n (i32.div_u (local.get $k0) (local.get $T)))
    (local.set $t (i32.rem_u (local.get $k0) (local.get $T)))
    (local.set $step (i32.shl (local.get $kc) (i32.const 6)))
    (block $done (loop $rows
      (br_if $done (i32.ge_u (local.get $k) (local.get $kc)))
      (local.set $src (i32.add (local.get $dz)
        (i32.shl (i32.mul (i32.add (i32.mul (local.get $t) (local.get $B)) (local.get $n)) (local.get $G)) (i32.const 2))))
      (local.set $dst (i32.add (local.get $w) (i32.shl (local.get $k) (i32.const 6))))
      (local.set $p (i32.const 0))
      (block $pdone (loop $panels
        (br_if $pdone (i32.ge_u (local.get $p) (local.get $G)))
        (v128.store align=4 (local.get $dst) (v128.load align=4 (local.get $src)))
        (v128.store offset=16 align=4 (local.get $dst) (v128.load offset=16 align=4 (local.get $src)))
        (v128.store offset=32 align=4 (local.get $dst) (v128.load offset=32 align=4 (local.get $src)))
        (v128.store offset=48 align=4 (local.get $dst) (v128.load offset=48 align=4 (local.get $src)))
        (local.set $src (i32.add (local.get $src) (i32.const 64)))
        (local.set $dst (i32.add (local.get $dst) (local.get $step)))
        (local.set $p (i32.add (local.get $p) (i32.const 16)))
        (br $panels)))
      (local.set $t (i32.add (local.get $t) (i32.const 1)))
      (if (i32.eq (local.get $t) (local.get $T)) (then
        (local.set $t (i32.const 0))
        (local.set $n (i32.add (local.get $n) (i32.const 1)))))
      (local.set $k (i32.add (local.get $k) (i32.const 1)))
      (br $rows))))

  ;; The layer statistics' pass over n floats at byte offset x (electron/engine/valueStats.ts `scanValues`,
  ;; operation for operation, in float64 and in order): the sum of squares, the sum of squared
  ;; differences to the floats at $before (when $has_before), and the finite minimum and maximum
  ;; (NaN and ±∞ left out), each continued from the value passed in (a layer's tensors in turn).
  (func (export "value_stats") (param $x i32) (param $before i32) (param $n i32) (param $has_before i32)
    (param $sum f64) (param $dist f64) (param $min f64) (param $max f64) (result f64 f64 f64 f64)
    (local $end i32) (local $v f64) (local $d f64)
    (local.set $end (i32.add (local.get $x) (i32.shl (local.get $n) (i32.const 2))))
    (block $done (loop $loop
      (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
      (local.set $v (f64.promote_f32 (f32.load (local.get $x))))
      (local.set $sum (f64.add (local.get $sum) (f64.mul (local.get $v) (local.get $v))))
      (if (local.get $has_before) (then
        (local.set $d (f64.sub (local.get $v) (f64.promote_f32 (f32.load (local.get $before)))))
        (local.set $dist (f64.add (local.get $dist) (f64.mul (local.get $d) (local.get $d))))
        (local.set $before (i32.add (local.get $before) (i32.const 4)))))
      ;; NaN fails both comparisons.
      (if (i32.and (f64.lt (local.get $v) (local.get $min)) (f64.ne (local.get $v) (f64.const -inf)))
        (then (local.set $min (local.get $v))))
      (if (i32.and (f64.gt (local.get $v) (local.get $max)) (f64.ne (local.get $v) (f64.const inf)))
        (then (local.set $max (local.get $v))))
      (local.set $x (i32.add (local.get $x) (i32.const 4)))
      (br $loop)))
    (local.get $sum) (local.get $dist) (local.get $min) (local.get $max))

  ;; Counts n floats at byte offset x into the int32 histogram counts at $counts (valueStats.ts
  ;; `histogramValues`, in float64): a value in [min, max] adds 1 to bin trunc((v − min)·scale),
  ;; capped at $top; NaN and values outside (±∞) count nowhere.
  (func (export "histogram") (param $x i32) (param $n i32) (param $min f64) (param $max f64) (param $scale f64)
    (param $top i32) (param $counts i32)
    (local $end i32) (local $v f64) (local $b i32) (local $p i32)
    (local.set $end (i32.add (local.get $x) (i32.shl (local.get $n) (i32.const 2))))
    (block $done (loop $loop
      (br_if $done (i32.ge_u (local.get $x) (local.get $end)))
      (local.set $v (f64.promote_f32 (f32.load (local.get $x))))
      (if (i32.and (f64.ge (local.get $v) (local.get $min)) (f64.le (local.get $v) (local.get $max))) (then
        (local.set $b (i32.trunc_sat_f64_s (f64.mul (f64.sub (local.get $v) (local.get $min)) (local.get $scale))))
        (local.set $p (i32.add (local.get $counts)
          (i32.shl (select (local.get $b) (local.get $top) (i32.lt_s (local.get $b) (local.get $top))) (i32.const 2))))
        (i32.store (local.get $p) (i32.add (i32.load (local.get $p)) (i32.const 1)))))
      (local.set $x (i32.add (local.get $x) (i32.const 4)))
      (br $loop))))

  ;; out [n] = f32(f32(wa·a + 0) + wb·b), each operation in float64 (wa, wb float64; a, b, out
  ;; float32; byte offsets): parallel.ts `weightedSum`'s first two terms, operation for operation.
  ;; Two floats at a time as a pair of doubles (loaded and stored 8 bytes at a time), then the last.
  (func (export "weighted_sum2") (param $out i32) (param $a i32) (param $b i32) (param $wa f64) (param $wb f64)
    (param $n i32)
    (local $end i32) (local $end2 i32) (local $WA v128) (local $WB v128)
    (local.set $WA (f64x2.splat (local.get $wa)))
    (local.set $WB (f64x2.splat (local.get $wb)))
    (local.set $end (i32.add (local.get $out) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $end2 (i32.add (local.get $out) (i32.shl (i32.and (local.get $n) (i32.const -2)) (i32.const 2))))
    (block $vdone (loop $vloop
      (br_if $vdone (i32.ge_u (local.get $out) (local.get $end2)))
      (v128.store64_lane 0 (local.get $out)
        (f32x4.demote_f64x2_zero (f64x2.add
          (f64x2.promote_low_f32x4 (f32x4.demote_f64x2_zero (f64x2.add
            (f64x2.mul (local.get $WA) (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $a))))
            (v128.const f64x2 0 0))))
          (f64x2.mul (local.get $WB) (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $b)))))))
      (local.set $out (i32.add (local.get $out) (i32.const 8)))
      (local.set $a (i32.add (local.get $a) (i32.const 8)))
      (local.set $b (i32.add (local.get $b) (i32.const 8)))
      (br $vloop)))
    (block $sdone (loop $sloop
      (br_if $sdone (i32.ge_u (local.get $out) (local.get $end)))
      (f32.store (local.get $out)
        (f32.demote_f64 (f64.add
          (f64.promote_f32 (f32.demote_f64
            (f64.add (f64.mul (local.get $wa) (f64.promote_f32 (f32.load (local.get $a)))) (f64.const 0))))
          (f64.mul (local.get $wb) (f64.promote_f32 (f32.load (local.get $b)))))))
      (local.set $out (i32.add (local.get $out) (i32.const 4)))
      (local.set $a (i32.add (local.get $a) (i32.const 4)))
      (local.set $b (i32.add (local.get $b) (i32.const 4)))
      (br $sloop))))

  ;; out [n] = f32(out + w·g) in float64 (weightedSum's further terms), one float at a time.
  (func (export "weighted_add") (param $out i32) (param $g i32) (param $w f64) (param $n i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $out) (i32.shl (local.get $n) (i32.const 2))))
    (block $done (loop $loop
      (br_if $done (i32.ge_u (local.get $out) (local.get $end)))
      (f32.store (local.get $out)
        (f32.demote_f64 (f64.add (f64.promote_f32 (f32.load (local.get $out)))
          (f64.mul (local.get $w) (f64.promote_f32 (f32.load (local.get $g)))))))
      (local.set $out (i32.add (local.get $out) (i32.const 4)))
      (local.set $g (i32.add (local.get $g) (i32.const 4)))
      (br $loop))))
)
