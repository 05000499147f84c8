// Work spread over the machine's cores: a loop whose iterations are independent, run on a few
// threads that each take the next index until none is left.
#pragma once

#include <cstddef>
#include <functional>

namespace intake {

// Calls work(i) for each i in [0, count) on up to `threads` threads (0: one per core), this one
// among them; returns when all are done. `work` must be safe to call from several threads at
// once for different i.
void ParallelFor(std::size_t count, const std::function<void(std::size_t)>& work, int threads = 0);

}  // namespace intake
