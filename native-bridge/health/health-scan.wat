;; SP 800-90B §4.4's two continuous health tests over one piece of the sample stream, the
;; hot path of every harvest. health-monitor.std.ts copies up to PIECE samples to BASE,
;; puts the sample before them at BASE - 1, sets the globals from its state, calls `scan`
;; and reads the globals back. `npm run build:wasm` assembles this file into
;; health-scan.wasm.std.ts; a test checks that the two agree.
;;
;; Sixteen samples at a time (SIMD): when none equals its predecessor the run restarts at
;; the last of them, and the samples equal to the APT window's first value are counted
;; from a byte mask. A block with a repeat, one that would reach the APT cutoff, or the
;; last few samples of a window go one sample at a time, which is where a test fires.
(module
  (memory (export "memory") 2)
  ;; Test state, kept between pieces: the previous sample (-1 before the first), the
  ;; current and longest run, the window's first value, its count and the highest count,
  ;; and the position in the window of the next sample.
  (global $last (export "last") (mut i32) (i32.const -1))
  (global $run (export "run") (mut i32) (i32.const 0))
  (global $longest (export "longest") (mut i32) (i32.const 0))
  (global $first (export "first") (mut i32) (i32.const 0))
  (global $count (export "count") (mut i32) (i32.const 0))
  (global $highest (export "highest") (mut i32) (i32.const 0))
  (global $position (export "position") (mut i32) (i32.const 0))
  ;; Settings: the APT window, both cutoffs, and whether blocks pay (not on binary samples,
  ;; which repeat every other sample).
  (global $window (export "window") (mut i32) (i32.const 512))
  (global $rctCutoff (export "rctCutoff") (mut i32) (i32.const 0))
  (global $aptCutoff (export "aptCutoff") (mut i32) (i32.const 0))
  (global $blocks (export "blocks") (mut i32) (i32.const 1))

  ;; Scans samples BASE .. BASE + n (BASE = 16). Returns the index of the sample at which a
  ;; test fired, or -1; on a failure the globals hold the failing run or count.
  (func (export "scan") (param $n i32) (result i32)
    (local $i i32) (local $end i32) (local $from i32) (local $sample i32)
    (local $last i32) (local $run i32) (local $longest i32)
    (local $first i32) (local $count i32) (local $highest i32)
    (local $position i32) (local $window i32) (local $rctCutoff i32) (local $aptCutoff i32)
    (local $blocks i32) (local $matches i32) (local $failed i32)
    (local $block v128) (local $firsts v128)
    (local.set $last (global.get $last))
    (local.set $run (global.get $run))
    (local.set $longest (global.get $longest))
    (local.set $first (global.get $first))
    (local.set $count (global.get $count))
    (local.set $highest (global.get $highest))
    (local.set $position (global.get $position))
    (local.set $window (global.get $window))
    (local.set $rctCutoff (global.get $rctCutoff))
    (local.set $aptCutoff (global.get $aptCutoff))
    (local.set $blocks (global.get $blocks))
    (local.set $failed (i32.const -1))
    (block $done
      (loop $windows
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (if (i32.eqz (local.get $position))
          (then
            (local.set $first (i32.load8_u offset=16 (local.get $i)))
            (local.set $count (i32.const 0))))
        ;; end = min(n, i + window - position)
        (local.set $end (i32.sub (i32.add (local.get $i) (local.get $window)) (local.get $position)))
        (if (i32.gt_u (local.get $end) (local.get $n)) (then (local.set $end (local.get $n))))
        (local.set $from (local.get $i))
        (local.set $firsts (i8x16.splat (local.get $first)))
        (loop $samples
          (block $oneByOne
            (br_if $oneByOne (i32.eqz (local.get $blocks)))
            (br_if $oneByOne (i32.lt_s (local.get $last) (i32.const 0)))
            (br_if $oneByOne (i32.gt_u (i32.add (local.get $i) (i32.const 16)) (local.get $end)))
            (local.set $block (v128.load offset=16 align=1 (local.get $i)))
            ;; Byte BASE + i - 1 is the sample before: this piece's, or the one put before it.
            (br_if $oneByOne
              (v128.any_true (i8x16.eq (local.get $block) (v128.load offset=15 align=1 (local.get $i)))))
            (local.set $matches
              (i32.popcnt (i8x16.bitmask (i8x16.eq (local.get $block) (local.get $firsts)))))
            (br_if $oneByOne
              (i32.ge_u (i32.add (local.get $count) (local.get $matches)) (local.get $aptCutoff)))
            (local.set $count (i32.add (local.get $count) (local.get $matches)))
            (if (i32.gt_u (local.get $count) (local.get $highest))
              (then (local.set $highest (local.get $count))))
            (local.set $run (i32.const 1))
            (local.set $last (i32.load8_u offset=31 (local.get $i)))
            (local.set $i (i32.add (local.get $i) (i32.const 16)))
            (br_if $samples (i32.lt_u (local.get $i) (local.get $end)))
            (br $oneByOne))
          (if (i32.lt_u (local.get $i) (local.get $end))
            (then
              (local.set $sample (i32.load8_u offset=16 (local.get $i)))
              (if (i32.eq (local.get $sample) (local.get $last))
                (then
                  (local.set $run (i32.add (local.get $run) (i32.const 1)))
                  (if (i32.gt_u (local.get $run) (local.get $longest))
                    (then
                      (local.set $longest (local.get $run))
                      (if (i32.ge_u (local.get $run) (local.get $rctCutoff))
                        (then (local.set $failed (local.get $i)) (br $done))))))
                (else
                  (local.set $last (local.get $sample))
                  (local.set $run (i32.const 1))))
              (if (i32.eq (local.get $sample) (local.get $first))
                (then
                  (local.set $count (i32.add (local.get $count) (i32.const 1)))
                  (if (i32.gt_u (local.get $count) (local.get $highest))
                    (then
                      (local.set $highest (local.get $count))
                      (if (i32.ge_u (local.get $count) (local.get $aptCutoff))
                        (then (local.set $failed (local.get $i)) (br $done)))))))
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br_if $samples (i32.lt_u (local.get $i) (local.get $end))))))
        ;; position = (position + i - from) % window
        (local.set $position
          (i32.rem_u (i32.sub (i32.add (local.get $position) (local.get $i)) (local.get $from)) (local.get $window)))
        (br $windows)))
    (global.set $last (local.get $last))
    (global.set $run (local.get $run))
    (global.set $longest (local.get $longest))
    (global.set $first (local.get $first))
    (global.set $count (local.get $count))
    (global.set $highest (local.get $highest))
    (global.set $position (local.get $position))
    (local.get $failed))
)
