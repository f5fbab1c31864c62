// audiopool/audiopool.hpp — the whole library in header mode:
//     #include <audiopool/audiopool.hpp>
// In module mode the same declarations come from `import audiopool;`.
#pragma once
#include "audiopool/config.hpp"
#ifndef AUDIOPOOL_MODULE  // module mode: the standard headers are in the global module fragment
#include <string_view>
#endif
#include "audiopool/arena.hpp"
#include "audiopool/atomics.hpp"
#include "audiopool/buffer_storage.hpp"
#include "audiopool/builtin_policies.hpp"
#include "audiopool/cache.hpp"
#include "audiopool/chunks.hpp"
#include "audiopool/detach_words.hpp"
#include "audiopool/free_list.hpp"
#include "audiopool/handoff_queue.hpp"
#include "audiopool/handles.hpp"
#include "audiopool/index_stack.hpp"
#include "audiopool/interop.hpp"
#include "audiopool/maybe_atomic.hpp"
#include "audiopool/misuse.hpp"
#include "audiopool/object_pool.hpp"
#include "audiopool/owner_thread.hpp"
#include "audiopool/poison.hpp"
#include "audiopool/retirer.hpp"
#include "audiopool/pool.hpp"
#include "audiopool/pool_ref.hpp"
#include "audiopool/sample.hpp"
#include "audiopool/sizes.hpp"
#include "audiopool/spsc_ring.hpp"
#include "audiopool/thread_check.hpp"
#include "audiopool/treiber.hpp"
#include "audiopool/version.hpp"
#include "audiopool/view.hpp"
