"""lab2.py: broken frame pools the lab 2 grader must catch."""
from protocol import FAIL

POOL = "lab2-frames/cfp_bitmap.c"


def cases(Case):
    return [
        # The run search accepts a run one frame too short.
        Case("lab2-run-search-off-by-one", "frames_exact_fit_runs", FAIL,
             [(POOL, "            run_len += len;\n            if (run_len >= n)",
               "            run_len += len;\n            if (run_len + 1 >= n)")],
             lab="lab2", others=False),
        # Release runs on through the next run's head.
        Case("lab2-release-past-next-head", "frames_release_exact_run", FAIL,
             [(POOL, "while (i < pool->n_frames && cfp_get_state(pool, i) == CFP_STATE_USED)",
               "while (i < pool->n_frames && cfp_get_state(pool, i) != CFP_STATE_FREE)")],
             lab="lab2", others=False),
        # The pool's own bitmap frames are left Free: frames_init cannot build
        # the pools, and the test fails naming step 2 (it used to panic).
        Case("lab2-info-frames-not-marked", "frames_pools_layout", FAIL,
             [(POOL, "    if (pool->info_internal) {\n        cfp_set_state(pool, 0, CFP_STATE_HEAD);",
               "    if (0) {\n        cfp_set_state(pool, 0, CFP_STATE_HEAD);")],
             lab="lab2", others=False),
        # The bits past a pool's last frame initialised Free (01), not 00.
        Case("lab2-tail-bits-free", "frames_bitmap_layout", FAIL,
             [(POOL, "        pool->bitmap[n_words - 1] = 0x55555555u & ((1u << (2u * tail)) - 1u);",
               "        pool->bitmap[n_words - 1] = 0x55555555u;")],
             lab="lab2", others=False),
        # The hint never moves: first fit instead of the handout's next fit.
        Case("lab2-first-fit-not-next-fit", "frames_next_fit_order", FAIL,
             [(POOL, "    pool->hint = idx + n < pool->n_frames ? idx + n : 0;\n", "")],
             lab="lab2", others=False),
        # The wrapped search stops where the first began, missing a run across it.
        Case("lab2-wrap-misses-straddling-run", "frames_next_fit_order", FAIL,
             [(POOL, "        unsigned long limit = start + n - 1; /* runs that begin before START */",
               "        unsigned long limit = start; /* runs that begin before START */")],
             lab="lab2", others=False),
        # Release sweeps on through the Inaccessible frame after the run.
        Case("lab2-release-frees-inaccessible", "frames_state_transitions", FAIL,
             [(POOL, "while (i < pool->n_frames && cfp_get_state(pool, i) == CFP_STATE_USED)",
               "while (i < pool->n_frames && cfp_get_state(pool, i) != CFP_STATE_FREE && "
               "cfp_get_state(pool, i) != CFP_STATE_HEAD)")],
             lab="lab2", others=False),
        # mark_inaccessible checks only the first frame of the range.
        Case("lab2-mark-checks-first-frame-only", "frames_state_transitions", FAIL,
             [(POOL, "    for (unsigned long i = idx; i < idx + n; i++) {\n        enum cfp_state s",
               "    for (unsigned long i = idx; i < idx + n; i++) {\n        if (i > idx)\n"
               "            break;\n        enum cfp_state s")],
             lab="lab2", others=False),
        # After a run ends, the search skips the frame after the one that stopped it.
        Case("lab2-search-skips-a-frame", "frames_every_placement", FAIL,
             [(POOL, "            bit += 2 * len + 2; /* past", "            bit += 2 * len + 4; /* past")],
             lab="lab2", others=False),
        # A long request (more than 14 frames) misses a run of 14 inside one word.
        Case("lab2-long-search-misses-run-in-word", "frames_every_placement", FAIL,
             [(POOL, "        if (n > 14) {", "        if (n > 13) {")],
             lab="lab2"),
        # A word with no Free frame does not end the current run.
        Case("lab2-run-joins-across-full-word", "frames_every_placement", FAIL,
             [(POOL, "            run_len = 0;\n            while (wi + 5 < w_end",
               "            while (wi + 5 < w_end")],
             lab="lab2"),
        # The four-word skip tests the wrong pairs and skips words with Free frames.
        Case("lab2-skip-passes-free-words", "frames_search_skips_only_full_words", FAIL,
             [(POOL, "    return ((a & ~(a >> 1)) | (b & ~(b >> 1))) & 0x5555555555555555ull;",
               "    return ((a & (a >> 1)) | (b & ~(b >> 1))) & 0x5555555555555555ull;")],
             # frames_search_lone_frame_any_neighbours catches it too
             lab="lab2", only=["frames_search_skips_only_full_words"]),
        # Rounding up by adding first overflows for the largest counts.
        Case("lab2-info-frames-overflow", "frames_needed_info_frames_no_overflow", FAIL,
             [(POOL, "    return n_frames / CFP_FRAMES_PER_INFO_FRAME +\n"
                     "           (n_frames % CFP_FRAMES_PER_INFO_FRAME != 0 ? 1 : 0);",
               "    return (n_frames + CFP_FRAMES_PER_INFO_FRAME - 1) / CFP_FRAMES_PER_INFO_FRAME;")],
             lab="lab2"),
    ]
