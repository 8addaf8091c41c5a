// Checks llama.cpp's CPU dot product and matrix product for Q2_0 (Ternary Bonsai's type) against
// a reference written here from the block layout alone: 64 weights per block, an fp16 scale,
// then 16 bytes in which weight e of each 32-weight half is the 2-bit field e % 4 of byte e / 4,
// stored as value + 1 (so -1, 0, 1 and the unused 2). The activations are quantized to Q8_0
// by ggml, as a matrix product does, and read back here by their layout (an fp16 scale, then
// 32 int8). Sums are taken in double; the kernel may order its float sums as it likes, so a
// result must be within 1e-5 of the sum of the absolute terms. Random blocks of every code,
// rows of 1 to 67 blocks, odd row counts, 1 and 2 threads. Prints one line per failure and a
// summary; exits 1 if anything failed.
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ggml.h"
#include "ggml-cpu.h"

#define QK2 64
#define QK8 32
#define Q2_BYTES (2 + QK2 / 4)
#define Q8_BYTES (2 + QK8)

static uint64_t state = 0x853c49e6748fea9bULL;
static uint32_t next_u32(void) {
    // splitmix64: independent of anything in ggml.
    uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return (uint32_t) ((z ^ (z >> 31)) >> 32);
}
static float uniform(void) { return (float) next_u32() / 4294967296.0f; }

static float half_at(const uint8_t * p) {
    ggml_fp16_t h;
    memcpy(&h, p, 2);
    return ggml_fp16_to_fp32(h);
}

/** Random Q2_0 rows: every 2-bit code, including 3 (weight 2), and now and then a zero scale. */
static void random_q2_0(uint8_t * out, int blocks) {
    for (int b = 0; b < blocks; b++) {
        uint8_t * block = out + (size_t) b * Q2_BYTES;
        const float scale = next_u32() % 17 == 0 ? 0.0f : (uniform() * 2.0f - 1.0f) * 0.05f;
        const ggml_fp16_t h = ggml_fp32_to_fp16(scale);
        memcpy(block, &h, 2);
        for (int i = 0; i < QK2 / 4; i++) block[2 + i] = (uint8_t) next_u32();
    }
}

static int q2_weight(const uint8_t * block, int e) {
    const int half = e / 32, k = e % 32;
    return ((block[2 + half * 8 + k / 4] >> (2 * (k % 4))) & 3) - 1;
}

/** Σ w·a over one row, with a the Q8_0 blocks of the activations, and Σ|w·a| for the tolerance. */
static void reference_dot(const uint8_t * q2, const uint8_t * q8, int n, double * sum, double * magnitude) {
    *sum = 0;
    *magnitude = 0;
    for (int e = 0; e < n; e++) {
        const uint8_t * wb = q2 + (size_t) (e / QK2) * Q2_BYTES;
        const uint8_t * ab = q8 + (size_t) (e / QK8) * Q8_BYTES;
        const double term = (double) half_at(wb) * q2_weight(wb, e % QK2) * (double) half_at(ab) * (int8_t) ab[2 + e % QK8];
        *sum += term;
        *magnitude += fabs(term);
    }
}

static int failures = 0, checks = 0;
static void check(const char * what, int n, double got, double want, double magnitude) {
    checks++;
    if (fabs(got - want) <= 1e-5 * magnitude + 1e-7) return;
    failures++;
    printf("FAIL %s n=%d: got %.9g, want %.9g (terms sum to %.9g in magnitude)\n", what, n, got, want, magnitude);
}

int main(void) {
    ggml_cpu_init();
    const struct ggml_type_traits_cpu * q2 = ggml_get_type_traits_cpu(GGML_TYPE_Q2_0);
    const struct ggml_type_traits_cpu * q8 = ggml_get_type_traits_cpu(GGML_TYPE_Q8_0);
    if (q2->vec_dot_type != GGML_TYPE_Q8_0 || ggml_type_size(GGML_TYPE_Q2_0) != Q2_BYTES || ggml_blck_size(GGML_TYPE_Q2_0) != QK2) {
        printf("FAIL Q2_0 is not laid out as this check expects (block %d bytes, %lld weights, dot with type %d)\n", (int) ggml_type_size(GGML_TYPE_Q2_0), (long long) ggml_blck_size(GGML_TYPE_Q2_0), q2->vec_dot_type);
        return 1;
    }

    // The dot product alone, rows of 1 to 67 blocks (odd counts and a last block after any unrolled pairs).
    for (int blocks = 1; blocks <= 67; blocks++) {
        const int n = blocks * QK2;
        uint8_t * w = malloc((size_t) blocks * Q2_BYTES);
        uint8_t * a = malloc((size_t) n / QK8 * Q8_BYTES);
        float * x = malloc(sizeof(float) * n);
        for (int round = 0; round < 8; round++) {
            random_q2_0(w, blocks);
            for (int i = 0; i < n; i++) x[i] = (uniform() * 2.0f - 1.0f) * (round == 7 ? 1000.0f : 1.0f);
            q8->from_float(x, a, n);
            float got = 0;
            q2->vec_dot(n, &got, 0, w, 0, a, 0, 1);
            double want, magnitude;
            reference_dot(w, a, n, &want, &magnitude);
            check("vec_dot", n, got, want, magnitude);
        }
        free(w);
        free(a);
        free(x);
    }

    // The matrix product through ggml's graph: odd row counts, one and several activation columns, 1 and 2 threads.
    const int shapes[][3] = { { 64, 1, 1 }, { 320, 3, 1 }, { 320, 7, 5 }, { 2048, 33, 1 }, { 4288, 5, 2 } };
    for (size_t s = 0; s < sizeof(shapes) / sizeof(shapes[0]); s++) {
        const int k = shapes[s][0], rows = shapes[s][1], cols = shapes[s][2];
        for (int threads = 1; threads <= 2; threads++) {
            struct ggml_init_params params = { .mem_size = 64 * 1024 * 1024, .mem_buffer = NULL, .no_alloc = false };
            struct ggml_context * ctx = ggml_init(params);
            struct ggml_tensor * w = ggml_new_tensor_2d(ctx, GGML_TYPE_Q2_0, k, rows);
            struct ggml_tensor * x = ggml_new_tensor_2d(ctx, GGML_TYPE_F32, k, cols);
            random_q2_0(w->data, k / QK2 * rows);
            for (int i = 0; i < k * cols; i++) ((float *) x->data)[i] = uniform() * 2.0f - 1.0f;
            struct ggml_tensor * y = ggml_mul_mat(ctx, w, x);
            struct ggml_cgraph * graph = ggml_new_graph(ctx);
            ggml_build_forward_expand(graph, y);
            if (ggml_graph_compute_with_ctx(ctx, graph, threads) != GGML_STATUS_SUCCESS) {
                printf("FAIL mul_mat %dx%d·%dx%d did not compute\n", rows, k, k, cols);
                failures++;
            }
            uint8_t * a = malloc((size_t) k / QK8 * Q8_BYTES);
            for (int c = 0; c < cols; c++) {
                q8->from_float((float *) x->data + (size_t) c * k, a, k);
                for (int r = 0; r < rows; r++) {
                    double want, magnitude;
                    reference_dot((uint8_t *) w->data + (size_t) r * (k / QK2) * Q2_BYTES, a, k, &want, &magnitude);
                    char what[64];
                    snprintf(what, sizeof what, "mul_mat row %d col %d, %d thread%s", r, c, threads, threads > 1 ? "s" : "");
                    check(what, k, ((float *) y->data)[(size_t) c * rows + r], want, magnitude);
                }
            }
            free(a);
            ggml_free(ctx);
        }
    }
    printf("%d of %d Q2_0 results equal the reference\n", checks - failures, checks);
    return failures ? 1 : 0;
}
