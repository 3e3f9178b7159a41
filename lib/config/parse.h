/* Internal to lib/config: the parser state shared by config.c (the engine)
 * and keys.c (the key table). */
#ifndef SIGNET_CONFIG_PARSE_H
#define SIGNET_CONFIG_PARSE_H

#include "config/config.h"

#include <stdio.h>

enum cfg_section { SECT_NONE, SECT_GLOBAL, SECT_CLIENT, SECT_SHARE };

struct cfg_parse {
    struct cfg cfg; /* working copy; copied out only on success */
    const char *name;
    int line;
    char *err;
    size_t err_len;
    bool failed;
    enum cfg_section section;
    char section_name[CFG_NAME_MAX + 2];
    struct cfg_share *share;
    const char *text; /* for cfg_load_string */
    FILE *fp;         /* for cfg_load_file */
};

/* Record the first error as "FILE:LINE: message"; returns 0 for inih. */
int cfg_fail(struct cfg_parse *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Apply one key of the current section; 0 after cfg_fail. */
int cfg_apply_key(struct cfg_parse *p, const char *key, const char *value);
/* The next word of a comma/space separated list into word: true, or false at
 * the end of the list, or (with *too_long set) at a word of cap bytes or more. */
bool cfg_next_word(const char **s, char *word, size_t cap, bool *too_long);
/* Whole-file checks once every line is read (min <= max, share paths). */
void cfg_validate(struct cfg_parse *p);

#endif
