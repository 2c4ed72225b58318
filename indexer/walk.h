/*
 * walk.h - the input files of a job: files named on the command line, and
 * every dispatch file under each directory named, in a stable order.
 */
#ifndef WIRE_WALK_H
#define WIRE_WALK_H

#include <stddef.h>

typedef struct walk_file {
	char *path;   /* as reachable from the current directory */
	char *root;   /* the directory argument it was found under, or its own
			 directory for a file named directly */
} walk_file;

typedef struct walk_list {
	walk_file *files;
	size_t n, cap;
} walk_list;

/* Called for a path that cannot be read (a message naming it). */
typedef void (*walk_error_fn)(void *ctx, const char *path, const char *reason);

/* Add PATH (a file, or a directory searched recursively for files whose
 * format reader_format_of() knows, hidden entries skipped) to LIST, sorted
 * by path within each directory.  Returns 0, -1 when out of memory.
 * Unreadable paths are reported through ERR and counted in *FAILED. */
int walk_add(walk_list *list, const char *path, walk_error_fn err, void *ctx,
	     unsigned *failed);
void walk_release(walk_list *list);

#endif
