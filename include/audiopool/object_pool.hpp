// audiopool/object_pool.hpp — (being written)
#pragma once
#include "audiopool/config.hpp"
