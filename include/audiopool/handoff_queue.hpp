// audiopool/handoff_queue.hpp — (being written)
#pragma once
#include "audiopool/config.hpp"
