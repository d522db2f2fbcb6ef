/* kmalloc.c: kmalloc/kfree: the kheap block lists over the heap VM pool, with interrupts off. */
#include "common/debug.h"
#include "common/intr_level.h"
#include "common/kprintf.h"
#include "kmalloc.h"

static struct vm_pool heap_pool;
static struct kheap heap;
static bool ready;

/* kheap source: page-granular regions of the heap pool (lazy: no frame is
 * taken until a page is touched). */
static void *heap_get(size_t bytes, void *ctx)
{
    return (void *)vm_pool_allocate(ctx, bytes);
}

static void heap_put(void *mem, size_t bytes, void *ctx)
{
    (void)bytes;
    int err = vm_pool_release(ctx, (unsigned long)mem);
    KASSERT(err == VM_POOL_OK);
}

bool kmalloc_init(struct page_table *pt, struct cont_frame_pool *frames)
{
    static const struct kheap_source src = {heap_get, heap_put, &heap_pool};

    KASSERT(!ready && pt != NULL && frames != NULL);
    vm_pool_set_name(&heap_pool, "heap");
    if (vm_pool_init(&heap_pool, KMALLOC_HEAP_BASE, KMALLOC_HEAP_SIZE, frames, pt) !=
        VM_POOL_OK) {
        kprintf("kmalloc: cannot create the heap pool\n");
        return false;
    }
    kheap_init(&heap, &src, KMALLOC_ARENA_SIZE, KMALLOC_LARGE_MIN, PAGE_SIZE);
    ready = true;
    return true;
}

bool kmalloc_ready(void)
{
    return ready;
}

void *kmalloc(size_t size)
{
    KASSERT(ready);
    enum intr_level old = intr_disable();
    void *p = kheap_alloc(&heap, size);
    intr_set_level(old);
    return p;
}

void kfree(void *ptr)
{
    if (ptr == NULL)
        return;
    KASSERT(ready);
    enum intr_level old = intr_disable();
    kheap_free(&heap, ptr);
    intr_set_level(old);
}

struct vm_pool *kmalloc_pool(void)
{
    return ready ? &heap_pool : NULL;
}

struct kheap *kmalloc_heap(void)
{
    return ready ? &heap : NULL;
}

const char *kmalloc_check(void)
{
    KASSERT(ready);
    enum intr_level old = intr_disable();
    const char *problem = kheap_check(&heap);
    intr_set_level(old);
    return problem;
}
