/* thread_stack.c: the thread-stack VM pool: guarded, pre-touched stacks and their high-water marks. */
#include "common/debug.h"
#include "common/kprintf.h"
#include "lab2-frames/frames.h"
#include "lab3-paging/vm.h"
#include "thread_stack.h"

static struct vm_pool stack_pool; /* the pool; live once ready is true */
static bool ready;

bool thread_stack_init(void)
{
    if (ready)
        return true;
    if (!vm_ready()) {
        kprintf("threads: lab 3's VM is not up: no thread stacks\n");
        return false;
    }
    int rc = vm_pool_init(&stack_pool, THREAD_STACK_POOL_BASE, THREAD_STACK_POOL_SIZE,
                          frames_process_pool(), paging_kernel_pt());
    if (rc != VM_POOL_OK) {
        kprintf("threads: cannot create the stack pool (error %d)\n", rc);
        return false;
    }
    vm_pool_set_name(&stack_pool, "stacks");
    ready = true;
    return true;
}

bool thread_stack_ready(void)
{
    return ready;
}

struct vm_pool *thread_stack_pool(void)
{
    return ready ? &stack_pool : NULL;
}

void thread_stack_fill(vaddr_t base, vaddr_t limit)
{
    for (volatile uint32_t *p = (volatile uint32_t *)base; (vaddr_t)p < limit; p++)
        *p = THREAD_STACK_PATTERN;
}

bool thread_stack_alloc(size_t size, vaddr_t *region, vaddr_t *base, vaddr_t *top)
{
    KASSERT(size > 0 && size % PAGE_SIZE == 0);
    if (!ready)
        return false;
    unsigned long r = vm_pool_allocate_guarded(&stack_pool, size);
    if (r == 0)
        return false; /* vm_pool said why */
    *region = r;
    *base = r + PAGE_SIZE;
    *top = *base + size;
    /* Touching every page maps it now (demand faults while we are on a good
     * stack), and the pattern lets thread_stack_high_water see use later. */
    thread_stack_fill(*base, *top);
    return true;
}

void thread_stack_free(vaddr_t region)
{
    KASSERT(ready && region != 0);
    int rc = vm_pool_release(&stack_pool, region);
    KASSERT(rc == VM_POOL_OK);
}

size_t thread_stack_high_water(vaddr_t base, vaddr_t top)
{
    const volatile uint32_t *p = (const volatile uint32_t *)base;
    while ((vaddr_t)p < top && *p == THREAD_STACK_PATTERN)
        p++;
    return top - (vaddr_t)p;
}
