// Runs independent pieces of work on the machine's cores: the hashing of a submission's files
// and the DICOM header scan use it.
#pragma once

#include <cstddef>
#include <functional>

namespace intake {

// Calls work(i) for each i in [0, count) on up to `threads` threads (0: one per core), the
// calling thread among them, each taking the next index until none is left. `work` must not
// throw, and must be safe to call from several threads at once for different i.
void ParallelFor(std::size_t count, const std::function<void(std::size_t)>& work, int threads = 0);

}  // namespace intake
