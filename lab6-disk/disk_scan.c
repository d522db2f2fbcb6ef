/* disk_scan.c: the elevator (SCAN) order of a channel's disk queue: the challenge of lab 6 (pure logic, host-testable). */
#include <stddef.h>

#include "common/debug.h"
#include "disk_error.h"
#include "disk_queue.h"

int disk_scan_choose(const struct disk_queue *q, struct disk_request **out)
{
    KASSERT(q != NULL && out != NULL);
    *out = NULL;
    /* LAB 6: TODO (challenge: the elevator) choose among q->pending the
     * request SCAN serves next (contract in disk_queue.h: the nearest ahead
     * of q->head_block in the direction q->sweep_up; none ahead: the nearest
     * behind; a newcomer for the head's own block last), set *OUT, return
     * DISK_OK. Until then this says DISK_ERR_NOT_IMPLEMENTED and the queue
     * stays FIFO. */
    /* LAB 6: BEGIN SOLUTION challenge */
    struct list *pending = (struct list *)&q->pending;
    struct disk_request *ahead = NULL, *behind = NULL, *newcomer = NULL;
    uint32_t head = q->head_block, ahead_d = 0, behind_d = 0;

    /* pending is in arrival order: on a tie the first one seen (the oldest) stays. */
    for (struct list_elem *e = list_begin(pending); e != list_end(pending); e = list_next(e)) {
        struct disk_request *r = LIST_ENTRY(e, struct disk_request, elem);
        uint32_t b = r->positioned ? r->block : head;
        if (b == head) {
            if (!r->positioned || r->seq < q->head_seq) {
                if (ahead == NULL || ahead_d > 0) {
                    ahead = r;
                    ahead_d = 0;
                }
            } else if (newcomer == NULL) {
                newcomer = r; /* came after the head: waits for the next sweep */
            }
            continue;
        }
        uint32_t d = b > head ? b - head : head - b;
        if ((b > head) == q->sweep_up) {
            if (ahead == NULL || d < ahead_d) {
                ahead = r;
                ahead_d = d;
            }
        } else if (behind == NULL || d < behind_d) {
            behind = r;
            behind_d = d;
        }
    }
    *out = ahead != NULL ? ahead : behind != NULL ? behind : newcomer;
    return DISK_OK;
    /* LAB 6: END SOLUTION */
    (void)q;
    return DISK_ERR_NOT_IMPLEMENTED;
}
