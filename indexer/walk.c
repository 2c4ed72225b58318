#include "walk.h"

#include "alloc.h"
#include "reader.h"

#include <dirent.h>
#include <stdio.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int add_file(walk_list *l, const char *path, const char *root)
{
	void *p = l->files;
	walk_file f;

	f.path = wire_strdup(path);
	f.root = wire_strdup(root);
	if (!f.path || !f.root || wire_grow(&p, &l->cap, l->n + 1, sizeof(f))) {
		free(f.path);
		free(f.root);
		return -1;
	}
	l->files = p;
	l->files[l->n++] = f;
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int walk_dir(walk_list *l, const char *dir, const char *root,
		    walk_error_fn err, void *ctx, unsigned *failed)
{
	DIR *d = opendir(dir);
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *e;
	int r = 0;

	if (!d) {
		err(ctx, dir, strerror(errno));
		(*failed)++;
		return 0;
	}
	while ((e = readdir(d))) {
		void *p = names;
		char *name;

		if (e->d_name[0] == '.')
			continue;
		name = wire_strdup(e->d_name);
		if (!name || wire_grow(&p, &cap, n + 1, sizeof(*names))) {
			free(name);
			r = -1;
			break;
		}
		names = p;
		names[n++] = name;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), cmp_names);
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(dir) + strlen(names[i]) + 2;
		char *path = r ? NULL : wire_malloc(len);
		struct stat st;

		if (!r && !path)
			r = -1;
		if (!r) {
			snprintf(path, len, "%s%s%s", dir,
				 dir[strlen(dir) - 1] == '/' ? "" : "/", names[i]);
			if (stat(path, &st)) {
				err(ctx, path, strerror(errno));
				(*failed)++;
			} else if (S_ISDIR(st.st_mode)) {
				r = walk_dir(l, path, root, err, ctx, failed);
			} else if (S_ISREG(st.st_mode) &&
				   reader_format_of(path) != FORMAT_AUTO) {
				r = add_file(l, path, root);
			}
		}
		free(path);
		free(names[i]);
	}
	free(names);
	return r;
}

int walk_add(walk_list *list, const char *path, walk_error_fn err, void *ctx,
	     unsigned *failed)
{
	struct stat st;

	if (!strcmp(path, "-"))
		return add_file(list, path, ".");
	if (stat(path, &st)) {
		err(ctx, path, strerror(errno));
		(*failed)++;
		return 0;
	}
	if (S_ISDIR(st.st_mode))
		return walk_dir(list, path, path, err, ctx, failed);
	{
		/* A file named directly: its id is relative to its directory. */
		const char *slash = strrchr(path, '/');
		char *dir = slash ? wire_strndup(path, (size_t)(slash - path))
				  : wire_strdup(".");
		int r;

		if (!dir)
			return -1;
		r = add_file(list, path, *dir ? dir : "/");
		free(dir);
		return r;
	}
}

void walk_release(walk_list *list)
{
	for (size_t i = 0; i < list->n; i++) {
		free(list->files[i].path);
		free(list->files[i].root);
	}
	free(list->files);
	list->files = NULL;
	list->n = list->cap = 0;
}
