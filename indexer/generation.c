/*
 * generation.c - managed index layout, job lock and the atomic switch.
 */
#include "generation.h"

#include "alloc.h"
#include "strbuf.h"
#include "xap.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

static void set_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

char *gen_path_join(const char *a, const char *b)
{
	strbuf sb = STRBUF_INIT;

	if (strbuf_addstr(&sb, a) || strbuf_addch(&sb, '/') || strbuf_addstr(&sb, b)) {
		strbuf_release(&sb);
		return NULL;
	}
	return strbuf_detach(&sb, NULL);
}

int gen_lock(const char *db, int wait, char *err, size_t errlen)
{
	char *path;
	int fd;

	if (mkdir(db, 0777) && errno != EEXIST) {
		set_err(err, errlen, "%s: cannot create the index directory: %s", db,
			strerror(errno));
		return -1;
	}
	path = gen_path_join(db, GEN_LOCK);
	if (!path) {
		set_err(err, errlen, "out of memory");
		return -1;
	}
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
	if (fd < 0) {
		set_err(err, errlen, "%s: cannot open the lock file: %s", path,
			strerror(errno));
		free(path);
		return -1;
	}
	/* flock is released by the kernel when the holder dies, so a killed
	 * job never leaves a stale lock; the file itself is never deleted. */
	while (flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB))) {
		if (errno == EINTR)
			continue;
		if (errno == EWOULDBLOCK) {
			close(fd);
			free(path);
			return -2;
		}
		set_err(err, errlen, "%s: cannot lock: %s", path, strerror(errno));
		close(fd);
		free(path);
		return -1;
	}
	free(path);
	return fd;
}

void gen_release(generation *g)
{
	for (size_t i = 0; i < g->n_dbs; i++)
		free(g->dbs[i]);
	free(g->dbs);
	memset(g, 0, sizeof(*g));
}

static int add_db(generation *g, char *path)
{
	char **v = wire_realloc(g->dbs, (g->n_dbs + 1) * sizeof(*v));

	if (!v) {
		free(path);
		return -1;
	}
	g->dbs = v;
	g->dbs[g->n_dbs++] = path;
	return 0;
}

static int exists(const char *dir, const char *name)
{
	char *p = gen_path_join(dir, name);
	struct stat st;
	int r;

	if (!p)
		return 0;
	r = !stat(p, &st);
	free(p);
	return r;
}

int gen_read(const char *db, generation *g, char *err, size_t errlen)
{
	char *stub, line[4096];
	unsigned long lineno = 0;
	FILE *f;

	memset(g, 0, sizeof(*g));
	if (exists(db, "iamglass")) {
		g->layout = GEN_PLAIN;
		return add_db(g, wire_strdup(db)) ? (set_err(err, errlen, "out of memory"), -1) : 0;
	}
	stub = gen_path_join(db, GEN_STUB);
	if (!stub) {
		set_err(err, errlen, "out of memory");
		return -1;
	}
	f = fopen(stub, "re");
	if (!f) {
		int e = errno;

		free(stub);
		if (e == ENOENT)
			return 0; /* GEN_NONE */
		set_err(err, errlen, "%s/%s: %s", db, GEN_STUB, strerror(e));
		return -1;
	}
	g->layout = GEN_MANAGED;
	while (fgets(line, sizeof(line), f)) {
		char *p = line, *end;
		unsigned number;

		lineno++;
		p[strcspn(p, "\r\n")] = '\0';
		if (!*p || *p == '#')
			continue;
		if (!strncmp(p, "auto ", 5) || !strncmp(p, "glass ", 6))
			p = strchr(p, ' ') + 1;
		else {
			set_err(err, errlen, "%s:%lu: only local databases can be written to ('%s')",
				stub, lineno, line);
			goto fail;
		}
		if (sscanf(p, "gen-%u", &number) == 1)
			g->number = number;
		end = p[0] == '/' ? wire_strdup(p) : gen_path_join(db, p);
		if (!end || add_db(g, end)) {
			set_err(err, errlen, "out of memory");
			goto fail;
		}
	}
	fclose(f);
	free(stub);
	if (!g->n_dbs) {
		set_err(err, errlen, "%s/%s names no database", db, GEN_STUB);
		gen_release(g);
		return -1;
	}
	return 0;
fail:
	fclose(f);
	free(stub);
	gen_release(g);
	return -1;
}

char *gen_dir(const char *db, unsigned number, int building)
{
	char name[64];

	snprintf(name, sizeof(name), "gen-%06u%s", number, building ? ".build" : "");
	return gen_path_join(db, name);
}

unsigned gen_last_number(const char *db)
{
	DIR *d = opendir(db);
	struct dirent *e;
	unsigned last = 0, n;

	if (!d)
		return 0;
	while ((e = readdir(d)))
		if (sscanf(e->d_name, "gen-%u", &n) == 1 && n > last)
			last = n;
	closedir(d);
	return last;
}

static int fsync_path(const char *path, int dir)
{
	int fd = open(path, (dir ? O_RDONLY | O_DIRECTORY : O_RDONLY) | O_CLOEXEC);
	int r;

	if (fd < 0)
		return -1;
	r = fsync(fd);
	close(fd);
	return r;
}

/* Write the stub of generation NUMBER atomically. */
static int write_stub(const char *db, unsigned number, unsigned shards,
		      char *err, size_t errlen)
{
	char *stub = gen_path_join(db, GEN_STUB), *tmp = gen_path_join(db, GEN_STUB ".tmp");
	strbuf text = STRBUF_INIT;
	int fd = -1, r = -1;

	if (!stub || !tmp)
		goto out;
	if (shards == 0)
		strbuf_addf(&text, "auto gen-%06u/db\n", number);
	for (unsigned i = 0; i < shards; i++)
		strbuf_addf(&text, "auto gen-%06u/shard-%u\n", number, i);
	if (!text.len) {
		set_err(err, errlen, "out of memory");
		goto out;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (fd < 0 || write(fd, text.buf, text.len) != (ssize_t)text.len ||
	    fsync(fd)) {
		set_err(err, errlen, "%s: cannot write the new stub: %s", tmp,
			strerror(errno));
		goto out;
	}
	close(fd);
	fd = -1;
	if (rename(tmp, stub) || fsync_path(db, 1)) {
		set_err(err, errlen, "%s: cannot switch the stub: %s", stub,
			strerror(errno));
		goto out;
	}
	r = 0;
out:
	if (fd >= 0)
		close(fd);
	if (r && tmp)
		unlink(tmp);
	if (r && !*err)
		set_err(err, errlen, "out of memory");
	free(stub);
	free(tmp);
	strbuf_release(&text);
	return r;
}

int gen_switch(const char *db, unsigned number, unsigned shards, char *err,
	       size_t errlen)
{
	char *building = gen_dir(db, number, 1), *done = gen_dir(db, number, 0);
	int r = -1;

	*err = '\0';
	if (!building || !done) {
		set_err(err, errlen, "out of memory");
		goto out;
	}
	if (fsync_path(building, 1) || rename(building, done) || fsync_path(db, 1)) {
		set_err(err, errlen, "%s: cannot put the new generation in place: %s",
			done, strerror(errno));
		goto out;
	}
	r = write_stub(db, number, shards, err, errlen);
out:
	free(building);
	free(done);
	return r;
}

int gen_create(const char *db, unsigned shards, generation *g, char *err,
	       size_t errlen)
{
	unsigned n = shards > 1 ? shards : 1;
	char *dir;

	memset(g, 0, sizeof(g[0]));
	*err = '\0';
	/* No stub: nothing here is live.  A creation killed half way left
	 * generation directories behind; start again from nothing. */
	gen_cleanup(db, 0, 0);
	dir = gen_dir(db, 1, 1);
	if (!dir || (mkdir(dir, 0777) && errno != EEXIST)) {
		set_err(err, errlen, "%s: cannot create: %s", dir ? dir : db,
			dir ? strerror(errno) : "out of memory");
		free(dir);
		return -1;
	}
	/* The databases exist before the stub names them, so a stub never
	 * points at nothing. */
	for (unsigned i = 0; i < n; i++) {
		char name[32], *path;
		xap_writer *w = xap_writer_new();
		xap_status st;

		if (shards > 1)
			snprintf(name, sizeof(name), "shard-%u", i);
		else
			snprintf(name, sizeof(name), "db");
		path = gen_path_join(dir, name);
		st = !w || !path ? XAP_NOMEM : xap_writer_open(w, path, XAP_WRITER_CREATE);
		if (st == XAP_OK)
			st = xap_writer_close(w);
		if (st != XAP_OK) {
			set_err(err, errlen, "%s: cannot create the database (%s): %s",
				path ? path : dir, xap_status_name(st),
				w ? xap_writer_message(w) : "out of memory");
			xap_writer_free(w);
			free(path);
			free(dir);
			return -1;
		}
		xap_writer_free(w);
		free(path);
	}
	free(dir);
	if (gen_switch(db, 1, shards > 1 ? shards : 0, err, errlen))
		return -1;
	return gen_read(db, g, err, errlen);
}

unsigned gen_number_before(const char *db, unsigned number)
{
	DIR *d = opendir(db);
	struct dirent *e;
	unsigned best = 0, n;

	if (!d)
		return 0;
	while ((e = readdir(d)))
		if (!strstr(e->d_name, ".build") &&
		    sscanf(e->d_name, "gen-%u", &n) == 1 && n < number && n > best)
			best = n;
	closedir(d);
	return best;
}

static int remove_entry(const char *path, const struct stat *st, int flag,
			struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

int gen_remove_tree(const char *path)
{
	return nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

void gen_cleanup(const char *db, unsigned live, unsigned previous)
{
	DIR *d = opendir(db);
	struct dirent *e;
	unsigned n;

	if (!d)
		return;
	while ((e = readdir(d))) {
		char *p;

		if (sscanf(e->d_name, "gen-%u", &n) != 1)
			continue;
		if (!strstr(e->d_name, ".build") && (n == live || n == previous))
			continue;
		p = gen_path_join(db, e->d_name);
		if (p)
			gen_remove_tree(p);
		free(p);
	}
	closedir(d);
}

unsigned gen_shard_of(const char *id, unsigned n)
{
	uint64_t h = 1469598103934665603ull;

	if (n <= 1)
		return 0;
	for (; *id; id++)
		h = (h ^ (unsigned char)*id) * 1099511628211ull;
	return (unsigned)(h % n);
}
