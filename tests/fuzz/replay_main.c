/* A standalone driver for the fuzz targets: feeds every file under the
 * directories (or files) named on the command line to LLVMFuzzerTestOneInput
 * once. The gcc sanitizer build links it so `make test` replays each target's
 * seed corpus and every crash ever found (tests/fuzz/regress/) without clang. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *data;
	long size;

	if (!f)
		return -1;
	if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		return -1;
	}
	data = malloc((size_t)size + 1); /* +1: never malloc(0) */
	if (!data || fread(data, 1, (size_t)size, f) != (size_t)size) {
		free(data);
		fclose(f);
		return -1;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(data, (size_t)size);
	free(data);
	return 0;
}

int main(int argc, char **argv)
{
	size_t n = 0;

	for (int i = 1; i < argc; i++) {
		struct stat st;
		DIR *d;
		struct dirent *e;

		if (stat(argv[i], &st) != 0)
			continue; /* a target may have no regress/ yet */
		if (!S_ISDIR(st.st_mode)) {
			if (replay_file(argv[i]) == 0)
				n++;
			continue;
		}
		d = opendir(argv[i]);
		if (!d)
			continue;
		while ((e = readdir(d)) != NULL) {
			char path[4096];

			if (e->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", argv[i], e->d_name);
			if (replay_file(path) == 0)
				n++;
		}
		closedir(d);
	}
	printf("replayed %zu inputs\n", n);
	return 0;
}
