/* kheap.c: arenas of boundary-tagged blocks: first-fit allocation, validated free with coalescing (pure). */
#include "common/debug.h"
#include "common/kprintf.h"
#include "kheap.h"

#define KHEAP_MAGIC 0x4B484550u       /* "PEHK": struct kheap */
#define ARENA_MAGIC 0xA4E4A000u
#define BLOCK_USED  0x55534544u       /* "DESU" */
#define BLOCK_FREE  0x46524545u       /* "EERF" */
#define BLOCK_END   0x454E4421u       /* "!DNE" */
#define ARENA_LARGE 0x1u

struct kheap_arena {
    uint32_t magic;      /* ARENA_MAGIC ^ address */
    uint32_t flags;      /* ARENA_LARGE */
    size_t size;         /* bytes obtained from the source */
    struct list_elem elem; /* in kheap.arenas */
};

struct kheap_block {
    uint32_t magic;      /* BLOCK_USED/FREE/END ^ address */
    uint32_t size;       /* bytes, header included; 0 for the end sentinel */
    uint32_t prev_size;  /* size of the block before; 0 for the first */
    uint32_t requested;  /* bytes asked for (used blocks) */
};
_Static_assert(sizeof(struct kheap_block) == KHEAP_BLOCK_HDR, "block header is 16 bytes");

struct kheap_free_block {
    struct kheap_block hdr;
    struct list_elem elem; /* in kheap.free_blocks */
};

#define ROUND_UP(x, a) (((x) + (a) - 1) / (a) * (a))
#define ARENA_HDR ROUND_UP(sizeof(struct kheap_arena), KHEAP_ALIGN)
#define MIN_BLOCK ROUND_UP(sizeof(struct kheap_free_block), KHEAP_ALIGN)
_Static_assert(ARENA_HDR == KHEAP_ARENA_HDR, "arena header size as kheap.h says");

static uint32_t tag(uint32_t magic, const void *at)
{
    return magic ^ (uint32_t)(uintptr_t)at;
}

static struct kheap_block *first_block(struct kheap_arena *a)
{
    return (struct kheap_block *)((char *)a + ARENA_HDR);
}

static struct kheap_block *next_block(struct kheap_block *b)
{
    return (struct kheap_block *)((char *)b + b->size);
}

static struct kheap_block *prev_block(struct kheap_block *b)
{
    return b->prev_size ? (struct kheap_block *)((char *)b - b->prev_size) : NULL;
}

static bool is_free(const struct kheap_block *b)
{
    return b->magic == tag(BLOCK_FREE, b);
}

static struct kheap_free_block *as_free(struct kheap_block *b)
{
    return (struct kheap_free_block *)b;
}

static void set_block(struct kheap_block *b, uint32_t magic, size_t size,
                      size_t prev_size)
{
    b->magic = tag(magic, b);
    b->size = (uint32_t)size;
    b->prev_size = (uint32_t)prev_size;
    b->requested = 0;
}

void kheap_init(struct kheap *h, const struct kheap_source *src, size_t arena_size,
                size_t large_min, size_t page_size)
{
    KASSERT(h != NULL && src != NULL && src->get != NULL && src->put != NULL);
    KASSERT(page_size >= KHEAP_ALIGN && (page_size & (page_size - 1)) == 0);
    KASSERT(arena_size % page_size == 0 && arena_size <= UINT32_MAX);
    KASSERT(large_min >= MIN_BLOCK && arena_size >= 4 * KHEAP_BLOCK_HDR + ARENA_HDR + large_min);
    h->magic = KHEAP_MAGIC;
    h->arena_size = arena_size;
    h->large_min = large_min;
    h->page_size = page_size;
    h->src = *src;
    list_init(&h->arenas);
    list_init(&h->free_blocks);
    h->stats = (struct kheap_stats){0};
    h->last_error = 0;
}

/* A new arena of SIZE bytes from the source, or NULL. */
static struct kheap_arena *arena_new(struct kheap *h, size_t size, uint32_t flags)
{
    struct kheap_arena *a = h->src.get(size, h->src.ctx);
    if (a == NULL)
        return NULL;
    KASSERT(((uintptr_t)a & (KHEAP_ALIGN - 1)) == 0);
    a->magic = tag(ARENA_MAGIC, a);
    a->flags = flags;
    a->size = size;
    list_push_back(&h->arenas, &a->elem);
    if (flags & ARENA_LARGE)
        h->stats.large_arenas++;
    else
        h->stats.small_arenas++;
    return a;
}

static void arena_delete(struct kheap *h, struct kheap_arena *a)
{
    list_remove(&a->elem);
    if (a->flags & ARENA_LARGE)
        h->stats.large_arenas--;
    else
        h->stats.small_arenas--;
    a->magic = 0;
    h->src.put(a, a->size, h->src.ctx);
}

/* A small arena with one free block and the end sentinel, or NULL. */
static bool arena_add_small(struct kheap *h)
{
    struct kheap_arena *a = arena_new(h, h->arena_size, 0);
    if (a == NULL)
        return false;
    size_t room = h->arena_size - ARENA_HDR - KHEAP_BLOCK_HDR;
    struct kheap_block *b = first_block(a);
    set_block(b, BLOCK_FREE, room, 0);
    set_block(next_block(b), BLOCK_END, 0, room);
    list_push_front(&h->free_blocks, &as_free(b)->elem);
    return true;
}

static void *alloc_large(struct kheap *h, size_t size)
{
    if (size > UINT32_MAX - ARENA_HDR - KHEAP_BLOCK_HDR - h->page_size)
        return NULL;
    size_t total = ROUND_UP(ARENA_HDR + KHEAP_BLOCK_HDR + size, h->page_size);
    struct kheap_arena *a = arena_new(h, total, ARENA_LARGE);
    if (a == NULL)
        return NULL;
    struct kheap_block *b = first_block(a);
    set_block(b, BLOCK_USED, total - ARENA_HDR, 0);
    b->requested = (uint32_t)size;
    h->stats.blocks_in_use++;
    h->stats.bytes_requested += size;
    return b + 1;
}

/* The arena in whose blocks' payloads P lies, or NULL: a foreign pointer.
 * Reads arena headers only: P itself is not trusted yet. */
static struct kheap_arena *arena_of(struct kheap *h, const void *p)
{
    for (struct list_elem *e = list_begin(&h->arenas); e != list_end(&h->arenas);
         e = list_next(e)) {
        struct kheap_arena *a = LIST_ENTRY(e, struct kheap_arena, elem);
        if ((const char *)p >= (const char *)(first_block(a) + 1) &&
            (const char *)p < (const char *)a + a->size)
            return a;
    }
    return NULL;
}

void *kheap_alloc(struct kheap *h, size_t size)
{
    KASSERT(h != NULL && h->magic == KHEAP_MAGIC);
    if (size == 0)
        return NULL;
    if (size >= h->large_min)
        return alloc_large(h, size);
    size_t need = ROUND_UP(size + KHEAP_BLOCK_HDR, KHEAP_ALIGN);
    if (need < MIN_BLOCK)
        need = MIN_BLOCK;
    for (int attempt = 0; attempt < 2; attempt++) {
        for (struct list_elem *e = list_begin(&h->free_blocks);
             e != list_end(&h->free_blocks); e = list_next(e)) {
            struct kheap_block *b = &LIST_ENTRY(e, struct kheap_free_block, elem)->hdr;
            if (b->size < need)
                continue;
            struct kheap_block *out = b; /* the block handed out */
            /* LAB 3: TODO split: if what is left after NEED bytes can hold a
             * free block (MIN_BLOCK), hand out only the last NEED bytes of
             * B as OUT: B keeps the rest (it stays where it is on the free
             * list); set OUT's size and prev_size and the boundary tag of
             * the block after OUT. Otherwise OUT is all of B. */
            /* LAB 3: BEGIN SOLUTION full */
            if (b->size - need >= MIN_BLOCK) {
                b->size -= (uint32_t)need;
                out = next_block(b);
                out->size = (uint32_t)need;
                out->prev_size = b->size;
                next_block(out)->prev_size = out->size;
            }
            /* LAB 3: END SOLUTION */
            if (out == b) /* handed out whole: off the free list */
                list_remove(e);
            out->magic = tag(BLOCK_USED, out);
            out->requested = (uint32_t)size;
            h->stats.blocks_in_use++;
            h->stats.bytes_requested += size;
            return out + 1;
        }
        if (attempt == 0 && !arena_add_small(h))
            return NULL;
    }
    return NULL;
}

/* Refuse a kheap_free: report and count it. (Cold: kept out of the fast
 * path's registers.) */
static __attribute__((noinline, cold)) int refuse(struct kheap *h, int err, const void *p)
{
    kprintf("kheap: kfree(%p) refused: %s; heap unchanged\n", p, kheap_strerror(err));
    h->last_error = err;
    h->stats.bad_frees++;
    return err;
}

int kheap_free(struct kheap *h, void *p)
{
    KASSERT(h != NULL && h->magic == KHEAP_MAGIC);
    if (p == NULL)
        return KHEAP_OK;
    struct kheap_block *b = (struct kheap_block *)p - 1;
    struct kheap_arena *a = arena_of(h, p);
    if (a == NULL)
        return refuse(h, KHEAP_ERR_FOREIGN, p);
    if (((uintptr_t)b & (KHEAP_ALIGN - 1)) != 0)
        return refuse(h, KHEAP_ERR_NOT_BLOCK, p);
    if (b->magic != tag(BLOCK_USED, b))
        return refuse(h, b->magic == tag(BLOCK_FREE, b) ? KHEAP_ERR_DOUBLE_FREE
                                                        : KHEAP_ERR_NOT_BLOCK, p);
    if (b->size < MIN_BLOCK || b->size > (size_t)((char *)a + a->size - (char *)b))
        return refuse(h, KHEAP_ERR_NOT_BLOCK, p);

    h->stats.blocks_in_use--;
    h->stats.bytes_requested -= b->requested;
    b->requested = 0;
    b->magic = tag(BLOCK_FREE, b);
    if (a->flags & ARENA_LARGE) {
        arena_delete(h, a);
        return KHEAP_OK;
    }
    struct kheap_block *into = b; /* the free block B ends up in */
    (void)prev_block, (void)is_free;
    /* LAB 3: TODO coalesce: if the block after B is free, B absorbs it
     * (take it off the free list first); then if the block before B is
     * free, it absorbs B (INTO: it stays where it is on the free list).
     * Keep the boundary tag of the block after INTO right, so that no two
     * free blocks are ever adjacent. */
    /* LAB 3: BEGIN SOLUTION full */
    struct kheap_block *next = next_block(b), *prev = prev_block(b);
    if (is_free(next)) {
        list_remove(&as_free(next)->elem);
        b->size += next->size;
    }
    if (prev != NULL && is_free(prev)) {
        prev->size += b->size;
        into = prev;
    }
    next_block(into)->prev_size = into->size;
    /* LAB 3: END SOLUTION */
    if (into == b) /* no free block before B */
        list_push_front(&h->free_blocks, &as_free(b)->elem);
    /* The arena is empty when one free block spans it: followed by the end
     * sentinel, it is the arena's first block (prev_size 0). */
    if (next_block(into)->size == 0 && into->prev_size == 0 && h->stats.small_arenas > 1) {
        list_remove(&as_free(into)->elem);
        arena_delete(h, (struct kheap_arena *)((char *)into - ARENA_HDR));
    }
    return KHEAP_OK;
}

int kheap_destroy(struct kheap *h)
{
    KASSERT(h != NULL && h->magic == KHEAP_MAGIC);
    if (h->stats.blocks_in_use != 0)
        return KHEAP_ERR_BUSY;
    list_init(&h->free_blocks); /* every free block dies with its arena */
    while (!list_empty(&h->arenas))
        arena_delete(h, LIST_ENTRY(list_front(&h->arenas), struct kheap_arena, elem));
    h->magic = 0;
    return KHEAP_OK;
}

size_t kheap_size_of(struct kheap *h, void *p)
{
    KASSERT(h != NULL && p != NULL);
    struct kheap_block *b = (struct kheap_block *)p - 1;
    KASSERT(b->magic == tag(BLOCK_USED, b));
    return b->requested;
}

const char *kheap_check(struct kheap *h)
{
    unsigned long free_seen = 0, used_seen = 0, small = 0, large = 0, empty = 0;

    if (h == NULL || h->magic != KHEAP_MAGIC)
        return "bad heap magic";
    for (struct list_elem *e = list_begin(&h->arenas); e != list_end(&h->arenas);
         e = list_next(e)) {
        struct kheap_arena *a = LIST_ENTRY(e, struct kheap_arena, elem);
        if (a->magic != tag(ARENA_MAGIC, a))
            return "bad arena magic";
        if (a->size % h->page_size != 0)
            return "arena size not a multiple of the page size";
        size_t used = 0, prev_size = 0;
        bool prev_free = false;
        struct kheap_block *b = first_block(a);
        char *end = (char *)a + a->size;
        if (a->flags & ARENA_LARGE) {
            large++;
            if (b->magic != tag(BLOCK_USED, b) || (char *)b + b->size != end)
                return "large arena without exactly one used block";
            used_seen++;
            continue;
        }
        small++;
        for (;;) {
            if ((char *)b + KHEAP_BLOCK_HDR > end)
                return "block runs past the end of its arena";
            if (b->prev_size != prev_size)
                return "boundary tag (prev_size) does not match the block before";
            if (b->size == 0) {
                if (b->magic != tag(BLOCK_END, b) || (char *)b + KHEAP_BLOCK_HDR != end)
                    return "arena does not end with its sentinel";
                break;
            }
            if (b->size % KHEAP_ALIGN != 0 || b->size < MIN_BLOCK)
                return "block size not a multiple of 16 or too small";
            bool f = is_free(b);
            if (!f && b->magic != tag(BLOCK_USED, b))
                return "block header with a bad magic";
            if (f && prev_free)
                return "two adjacent free blocks (not coalesced)";
            if (f && !list_contains(&h->free_blocks, &as_free(b)->elem))
                return "free block missing from the free list";
            free_seen += f;
            used += !f;
            prev_free = f;
            prev_size = b->size;
            b = next_block(b);
        }
        used_seen += used;
        empty += used == 0;
    }
    if (list_size(&h->free_blocks) != free_seen)
        return "free list holds blocks that are not free";
    if (used_seen != h->stats.blocks_in_use)
        return "blocks_in_use counter is wrong";
    if (small != h->stats.small_arenas || large != h->stats.large_arenas)
        return "arena counters are wrong";
    if (empty > 0 && small > 1)
        return "an empty small arena kept beside others (kheap_free returns it)";
    return NULL;
}

const char *kheap_strerror(int err)
{
    switch (err) {
    case KHEAP_OK: return "success";
    case KHEAP_ERR_FOREIGN: return "not a heap pointer (foreign)";
    case KHEAP_ERR_DOUBLE_FREE: return "block already free (double free)";
    case KHEAP_ERR_NOT_BLOCK:
        return "not the start of an allocated block (interior or stale pointer)";
    case KHEAP_ERR_BUSY: return "blocks still in use";
    default: return "unknown error";
    }
}
