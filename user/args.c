/* args.c: print argc and every argument; exit status argc (a test checks what arrived). */
#include "user/lib/ulib.h"

int main(int argc, char **argv)
{
    printf("argc=%d\n", argc);
    for (int i = 0; i < argc; i++)
        printf("argv[%d]=\"%s\"\n", i, argv[i]);
    if (argv[argc] != NULL) {
        printf("args: argv[argc] is not NULL\n");
        return 255;
    }
    return argc;
}
