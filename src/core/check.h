// Assertions for programming errors. Never use them on what the environment controls (a file,
// a socket reply, an exit code): those are Status values.
#pragma once

#include <cstdio>
#include <cstdlib>

#define EBB_CHECK(cond)                                                             \
  do {                                                                              \
    if (!(cond)) {                                                                  \
      std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
      std::abort();                                                                 \
    }                                                                               \
  } while (false)

#ifdef NDEBUG
#define EBB_DCHECK(cond) \
  do {                   \
  } while (false)
#else
#define EBB_DCHECK(cond) EBB_CHECK(cond)
#endif
