/* split.c: split a command line in place into words, with double quotes and \" \\ escapes (user/lib/split.h). */
#include "user/lib/split.h"

#include <stdbool.h>
#include <stddef.h>

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

int split_words(char *line, char **argv, int max, const char **why)
{
    int argc = 0;
    char *r = line, *w = line; /* w never passes r: the words shrink in place */
    *why = NULL;
    for (;;) {
        while (is_blank(*r))
            r++;
        if (*r == '\0')
            break;
        if (argc == max) {
            *why = "too many words";
            return -1;
        }
        argv[argc++] = w;
        bool quoted = false;
        while (*r != '\0' && (quoted || !is_blank(*r))) {
            if (*r == '"') {
                quoted = !quoted;
                r++;
                continue;
            }
            if (*r == '\\' && (r[1] == '"' || r[1] == '\\'))
                r++;
            *w++ = *r++;
        }
        if (quoted) {
            *why = "unterminated quote (a closing \" is missing)";
            return -1;
        }
        if (*r != '\0')
            r++; /* past the blank that ended the word, before w may write over it */
        *w++ = '\0';
    }
    argv[argc] = NULL;
    return argc;
}
