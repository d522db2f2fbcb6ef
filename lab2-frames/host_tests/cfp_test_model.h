/* cfp_test_model.h: shared fixture of the frame-pool host tests: simulated RAM, reference model, checked steps. */
#ifndef LAB2_CFP_TEST_MODEL_H
#define LAB2_CFP_TEST_MODEL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/host_tests/host_support.h"
#include "lab2-frames/cont_frame_pool.h"
#include "lab2-frames/phys_mem.h"

/*
 * The pool under test is the kernel's (cont_frame_pool.c, cfp_registry.c,
 * cfp_init.c, cfp_bitmap.c), compiled unchanged.
 * Its bitmaps live in a simulated RAM buffer (physical frames 0 ..
 * RAM_FRAMES - 1) reached through the phys_to_ptr() below; pools may lie
 * above the simulated RAM as long as their bitmap is inside it (the pool
 * never touches the frames it manages). The buffer is filled with a canary
 * byte, and tests check that nothing outside the bitmaps was ever written.
 *
 * The randomised tests drive one or more pools with a random mix of
 * get/release/mark operations, good and bad, and after every step compare
 * the state of every frame and the free count with a reference model (a
 * plain array of states), and the log with what the operation should have
 * printed (nothing on success, one "cfp: " line on bad input).
 */

#define RAM_FRAMES 4096ul /* 16 MiB */
#define RAM_BYTES (RAM_FRAMES * CFP_FRAME_SIZE)
#define CANARY 0xA5
#define MAX_POOLS 8

/* ---- Simulated RAM (phys_to_ptr is defined over it) --------------------- */

extern unsigned char *ram;

/* Raw bitmap word WI of POOL (through the simulated RAM). */
uint32_t raw_word(const struct cont_frame_pool *pool, unsigned long wi);

/* Fail unless every byte of RAM outside the bitmaps of POOLS holds the canary. */
void check_canary(struct cont_frame_pool *const *pools, int n_pools);

/* ---- Fixtures (cmocka setup/teardown) ----------------------------------- */

extern struct cont_frame_pool pools[MAX_POOLS];
extern int n_models;

int setup(void **state);
int teardown(void **state);

/* Unregister every pool, newest first. */
void fini_all(void);

/* The log holds exactly one "cfp: " line (cleared), or nothing. */
void expect_one_message(void);
void expect_no_message(void);

/* ---- Reference model ---------------------------------------------------- */

struct model {
    struct cont_frame_pool *pool;
    unsigned long base, n, n_info;
    bool internal;
    unsigned char st[300000];    /* enum cfp_state per frame */
    unsigned char guard[300000]; /* 1: Head of a run holding a bitmap */
    unsigned long free;
};

extern struct model models[MAX_POOLS];

/* Mark a run of N frames from IDX in M (Head + Used). */
void model_set_run(struct model *m, unsigned long idx, unsigned long n);

/* Initialise pools[SLOT] and its model; INFO as for cfp_init. */
struct model *model_init(int slot, unsigned long base, unsigned long n,
                         unsigned long info, const char *name);

/* The innermost model owning FRAME, or NULL. */
struct model *model_owner(unsigned long frame);

/* True if M has a run of N Free frames. */
bool model_has_run(const struct model *m, unsigned long n);

/* Fail unless pool and model agree on every frame, the free count and the tail bits. */
void model_check(const struct model *m, const char *what);
void check_all(const char *what);

/* What cfp_release_frames(FRAME) must return, and the model's release. */
int model_release_result(unsigned long frame);
void model_release(unsigned long frame);

/* ---- Steps: the operation on the pool, checked against the model -------- */

void step_get(struct model *m, unsigned long n, const char *what);
void step_release(unsigned long frame);
void step_mark(struct model *m, unsigned long base, unsigned long n);

/* cfp_init with these parameters must be refused with ERR, logged, nothing written. */
void expect_init_refused(unsigned long base, unsigned long n,
                                unsigned long info, int expected);

#endif
