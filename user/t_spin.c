/* t_spin.c: a CPU-bound process: `t_spin` spins until killed; `t_spin N` spins N rounds
 * (each a little work and a yield) and exits 0. */
#include "user/lib/ulib.h"

int main(int argc, char **argv)
{
    unsigned rounds = argc > 1 ? (unsigned)atoi(argv[1]) : 0;
    volatile unsigned sum = 0;
    for (unsigned r = 0; rounds == 0 || r < rounds; r++) {
        for (unsigned i = 0; i < 10000; i++)
            sum += i;
        if (rounds != 0)
            yield();
    }
    return 0;
}
