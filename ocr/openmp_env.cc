#include "ocr/openmp_env.h"

#include <dlfcn.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

namespace intake::ocr {

void ReexecWithOpenMpThreadLimit(char** argv) {
  if (std::getenv("OMP_THREAD_LIMIT") != nullptr) return;
  if (setenv("OMP_THREAD_LIMIT", "1", 1) != 0) return;
  std::fflush(nullptr);
  execv("/proc/self/exe", argv);
}

int OpenMpThreadLimit() {
  using GetThreadLimit = int (*)();
  auto fn = reinterpret_cast<GetThreadLimit>(dlsym(RTLD_DEFAULT, "omp_get_thread_limit"));
  return fn ? fn() : 0;
}

}  // namespace intake::ocr
