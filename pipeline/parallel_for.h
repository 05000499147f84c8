// Work spread over the machine's cores: each index of a range handed to the next free thread.
#pragma once

#include <cstddef>
#include <functional>

namespace intake {

// Calls work(i) for each i in [0, count) on up to `threads` threads (0: one per core), the
// calling thread among them, each taking the next index until none is left. Returns when all
// are done. `work` must be safe to call from several threads at once.
void ParallelFor(std::size_t count, const std::function<void(std::size_t)>& work,
                 int threads = 0);

}  // namespace intake
