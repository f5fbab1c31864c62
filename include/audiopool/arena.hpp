// audiopool/arena.hpp — (being written)
#pragma once
#include "audiopool/config.hpp"
