/* split.h: a command line split into words, with double quotes (the shell's parser; no system calls, host-tested). */
#ifndef USER_SPLIT_H
#define USER_SPLIT_H

/* Split LINE in place into at most MAX words, ARGV[0..argc-1] then NULL
 * (ARGV has MAX + 1 slots). Words are separated by spaces and tabs; a
 * double-quoted part ("a b") belongs to its word, spaces and all, without
 * its quotes, and may be empty (""); a backslash makes the next " or \ plain
 * (\" is a quote character, \\ one backslash); any other backslash is itself.
 * Returns argc, or -1 with *WHY set (a static string: an unterminated quote,
 * more than MAX words), ARGV then unspecified. */
int split_words(char *line, char **argv, int max, const char **why);

#endif
