/* malloc.c: malloc/free for user programs: small blocks carved from arenas of pages that
 * SYS_MEM_ALLOC gives; a large block gets its own region, returned by SYS_MEM_FREE. */
#include "ulib.h"

#define MALLOC_ALIGN   8
#define MALLOC_ARENA   (16 * 1024)      /* bytes asked of the kernel per arena */
#define MALLOC_BIG     (MALLOC_ARENA / 4) /* larger requests get their own region */
#define MALLOC_USED    0x55534544u      /* "USED": tag of an allocated small block */
#define MALLOC_FREE    0x46524545u      /* "FREE" */
#define MALLOC_LARGE   0x4C415247u      /* "LARG": a block with its own region */

/* Every block starts with this header; SIZE counts the header too. */
struct mblock {
    uint32_t size;
    uint32_t tag;
    struct mblock *next; /* free list (address order); only in free blocks */
    uint32_t pad;        /* keeps payloads 8-byte aligned: header is 16 bytes */
};
#define MALLOC_HDR sizeof(struct mblock)

static struct mblock *free_list; /* free small blocks, sorted by address */

/* Insert B into the free list and merge it with free neighbours it touches. */
static void malloc_insert(struct mblock *b)
{
    struct mblock **link = &free_list;
    struct mblock *prev = NULL;
    while (*link != NULL && *link < b) {
        prev = *link;
        link = &(*link)->next;
    }
    b->tag = MALLOC_FREE;
    b->next = *link;
    *link = b;
    if (b->next != NULL && (char *)b + b->size == (char *)b->next) {
        b->size += b->next->size;
        b->next = b->next->next;
    }
    if (prev != NULL && (char *)prev + prev->size == (char *)b) {
        prev->size += b->size;
        prev->next = b->next;
    }
}

/* Ask the kernel for one more arena; false when it has no memory left. */
static bool malloc_grow(void)
{
    struct mblock *b = mem_alloc(MALLOC_ARENA);
    if (b == NULL)
        return false;
    b->size = MALLOC_ARENA;
    malloc_insert(b);
    return true;
}

void *malloc(size_t size)
{
    if (size == 0 || size > 0x40000000u)
        return NULL;
    uint32_t need = (uint32_t)((size + MALLOC_HDR + MALLOC_ALIGN - 1) & ~(MALLOC_ALIGN - 1));
    if (need > MALLOC_BIG) {
        struct mblock *b = mem_alloc(need);
        if (b == NULL)
            return NULL;
        b->size = need;
        b->tag = MALLOC_LARGE;
        return b + 1;
    }
    for (int attempt = 0; attempt < 2; attempt++) {
        for (struct mblock **link = &free_list; *link != NULL; link = &(*link)->next) {
            struct mblock *b = *link;
            if (b->size < need)
                continue;
            if (b->size - need >= MALLOC_HDR + MALLOC_ALIGN) { /* split: keep the tail free */
                struct mblock *rest = (struct mblock *)((char *)b + need);
                rest->size = b->size - need;
                rest->tag = MALLOC_FREE;
                rest->next = b->next;
                *link = rest;
                b->size = need;
            } else {
                *link = b->next;
            }
            b->tag = MALLOC_USED;
            return b + 1;
        }
        if (!malloc_grow())
            return NULL;
    }
    return NULL;
}

void *calloc(size_t n, size_t size)
{
    if (size != 0 && n > 0x40000000u / size)
        return NULL;
    void *p = malloc(n * size);
    if (p != NULL)
        memset(p, 0, n * size);
    return p;
}

void free(void *p)
{
    if (p == NULL)
        return;
    struct mblock *b = (struct mblock *)p - 1;
    if (b->tag == MALLOC_LARGE) {
        b->tag = 0;
        mem_free(b);
    } else if (b->tag == MALLOC_USED) {
        malloc_insert(b);
    } else {
        dprintf(2, "free(%p): not a block from malloc, or freed twice\n", p);
        exit(ABI_STATUS_EXITED(127));
    }
}
