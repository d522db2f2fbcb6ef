/* libk_rename.h: host builds only: give libk's C-library-named functions libk_* names. */
#ifndef COMMON_HOST_TESTS_LIBK_RENAME_H
#define COMMON_HOST_TESTS_LIBK_RENAME_H

/*
 * Host test builds force-include this header (-include) into every source,
 * libk and tests alike, together with -fno-builtin. Then a call to memcpy in
 * libk, in lab code or in a test reaches libk's implementation, compiled as
 * libk_memcpy, while the host C library, cmocka and the sanitizer runtime
 * keep their own memcpy.
 *
 * The host's declarations are pulled in first, under their real names, so
 * that later #include <string.h> lines are no-ops and the host's attributes
 * (nonnull, fortify wrappers) never attach to the libk_* functions.
 *
 * This header also includes common/kstring.h (after the renaming), so the
 * libk_* prototypes are always in scope.
 *
 * Only names that clash with the C library are renamed; glob_match, kformat,
 * ksnprintf and the k_is* helpers keep their names.
 */
#include <stdlib.h>
#include <string.h>

#define memcpy libk_memcpy
#define memmove libk_memmove
#define memset libk_memset
#define memcmp libk_memcmp
#define strlen libk_strlen
#define strnlen libk_strnlen
#define strcmp libk_strcmp
#define strncmp libk_strncmp
#define strchr libk_strchr
#define strrchr libk_strrchr
#define strlcpy libk_strlcpy
#define strtoul libk_strtoul

/* Declare the renamed functions for every source, so code that only
 * includes <string.h> still calls (and sees prototypes of) libk's versions. */
#include "common/kstring.h"

#endif
