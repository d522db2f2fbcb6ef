"""lab2.py: broken frame pools the lab 2 grader must catch."""
from protocol import FAIL, PANIC

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
        # The pool's own bitmap frames are left Free.
        Case("lab2-info-frames-not-marked", "frames_pools_layout", PANIC,
             [(POOL, "    if (pool->info_internal) {\n        cfp_set_state(pool, 0, CFP_STATE_HEAD);",
               "    if (0) {\n        cfp_set_state(pool, 0, CFP_STATE_HEAD);")],
             lab="lab2", others=False),
    ]
