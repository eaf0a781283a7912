/* Loaded with LD_PRELOAD into `gilport fix`, it acts at the moment a fix is
 * in a temporary file `NAME.gilport-XXXXXX.tmp` beside NAME: when the
 * temporary is given its owner (chown, fchown) or is renamed. What it does is
 * set by GILPORT_INTERPOSE:
 *   edit-at-owner     appends a line to NAME (a .c file), as an editor
 *                     saving the file at that moment would
 *   term-at-owner=N   sends the process SIGTERM at the Nth owner change
 *   term-at-rename=N  sends the process SIGTERM at the Nth rename
 * Owner changes happen while a fix is being written, renames when it is put
 * in place; old and new versions of gilport both make them. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

static int counted(const char *Event) {
  static int Calls;
  const char *Action = getenv("GILPORT_INTERPOSE");
  size_t Length = strlen(Event);
  if (!Action || strncmp(Action, Event, Length) != 0 || Action[Length] != '=')
    return 0;
  return ++Calls == atoi(Action + Length + 1);
}

static void acted(const char *Path, int Renaming) {
  const char *Mark = Path ? strstr(Path, ".gilport-") : NULL;
  if (!Mark || !strstr(Mark, ".tmp"))
    return;
  if (Renaming) {
    if (counted("term-at-rename"))
      kill(getpid(), SIGTERM);
    return;
  }
  if (counted("term-at-owner"))
    kill(getpid(), SIGTERM);
  const char *Action = getenv("GILPORT_INTERPOSE");
  if (!Action || strcmp(Action, "edit-at-owner") != 0 || Mark - Path < 2 ||
      strncmp(Mark - 2, ".c", 2) != 0)
    return;
  char Name[4096];
  snprintf(Name, sizeof Name, "%.*s", (int)(Mark - Path), Path);
  FILE *File = fopen(Name, "a");
  if (File) {
    fputs("/* saved by an editor meanwhile */\n", File);
    fclose(File);
  }
}

int chown(const char *Path, uid_t Owner, gid_t Group) {
  int (*Real)(const char *, uid_t, gid_t) = dlsym(RTLD_NEXT, "chown");
  acted(Path, 0);
  return Real(Path, Owner, Group);
}

int fchown(int FD, uid_t Owner, gid_t Group) {
  int (*Real)(int, uid_t, gid_t) = dlsym(RTLD_NEXT, "fchown");
  char Link[64], Path[4096];
  snprintf(Link, sizeof Link, "/proc/self/fd/%d", FD);
  ssize_t Length = readlink(Link, Path, sizeof Path - 1);
  if (Length > 0) {
    Path[Length] = '\0';
    acted(Path, 0);
  }
  return Real(FD, Owner, Group);
}

int rename(const char *From, const char *To) {
  int (*Real)(const char *, const char *) = dlsym(RTLD_NEXT, "rename");
  acted(From, 1);
  return Real(From, To);
}
