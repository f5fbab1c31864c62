// What the README and docs show a program doing with a pool and its handles,
// in a file with nothing before `import audiopool;`: the channel spans
// (range-for, iterator loops and every iterator operator, size, data,
// indexing, subspan/first/last, reverse iteration), copies and their
// CopyExtent, shared handles, and the statistics with their comparisons.
// The tests in tests/ include standard headers first, which makes the
// standard library's operators visible whatever the module exports.
import audiopool;

#include "check.hpp"  // includes nothing: safe after the import

using Pool = audiopool::Pool<float, 2, 64, 4, audiopool::Treiber>;
using DoublePool = audiopool::Pool<double, 2, 64, 2, audiopool::IndexStack>;
constinit Pool pool;
constinit DoublePool doublePool;

void spans() {
    auto tmp = pool.acquire(2, 48);
    CHECK(bool(tmp) && tmp.numChannels() == 2 && tmp.numFrames() == 48);
    auto left = tmp.channel(0);
    CHECK(left.size() == 48 && !left.empty());
    CHECK(left.data() == tmp.channelPointers()[0]);
    CHECK(tmp.channel(1).data() == tmp.channelPointers()[1]);
    CHECK(tmp.channel(2).empty());  // past the last channel: an empty span

    for (unsigned i = 0; i < left.size(); ++i) left[i] = float(i);  // indexing
    int n = 0;
    float sum = 0;
    for (float& s : left) {  // range-for (iterator !=)
        sum += s;
        ++n;
    }
    CHECK(n == 48 && sum == 47 * 48 / 2);
    n = 0;
    for (auto it = left.begin(); it != left.end(); ++it) CHECK(*it == float(n++));
    CHECK(n == 48);
    n = 0;
    for (auto r = left.rbegin(); r != left.rend(); ++r) CHECK(*r == float(47 - n++));
    CHECK(n == 48 && left.rend() - left.rbegin() == 48);

    const auto b = left.begin(), e = left.end();
    CHECK(b == left.begin() && b != e);
    CHECK(b < e && b <= e && e > b && e >= b && !(e < b) && b <= b && b >= b);
    CHECK((b <=> e) < 0 && (e <=> b) > 0 && (b <=> left.begin()) == 0);
    CHECK(e - b == 48 && b - e == -48);
    CHECK(*(b + 3) == 3 && *(3 + b) == 3 && *(e - 1) == 47 && b[5] == 5);
    auto it = b;
    it += 10;
    CHECK(*it == 10 && it - b == 10);
    it -= 4;
    --it;
    CHECK(*it++ == 5 && *it == 6);
    CHECK(left.rbegin() < left.rend() && *(1 + left.rbegin()) == 46);

    auto middle = left.subspan(4, 8);
    CHECK(middle.size() == 8 && middle.data() == left.data() + 4 && middle[0] == 4);
    CHECK(middle.end() - middle.begin() == 8);
    float middleSum = 0;
    for (float s : middle) middleSum += s;
    CHECK(middleSum == 4 + 5 + 6 + 7 + 8 + 9 + 10 + 11);
    CHECK(left.first(3).size() == 3 && left.first(3)[2] == 2);
    CHECK(left.last(2).size() == 2 && left.last(2)[0] == 46);
    CHECK(left.subspan(40).size() == 8 && left.subspan(40).back() == 47 && left.front() == 0);
    const auto bytes = left.size_bytes();
    CHECK(bytes == 48 * sizeof(float));

    tmp.clear();
    for (float s : tmp.channel(0)) CHECK(s == 0.0f);
    for (float s : tmp.channel(1)) CHECK(s == 0.0f);
}

void copies() {
    float inL[100], inR[100], outL[100] = {}, outR[100] = {};
    for (int i = 0; i < 100; ++i) {
        inL[i] = 0.5f;
        inR[i] = -0.25f;
    }
    const float* inputs[] = {inL, inR};
    float* outputs[] = {outL, outR};

    auto a = pool.acquire(2, 64);
    const audiopool::CopyExtent in = a.copyFrom(inputs, 2, 100);  // the overlap: 64 frames
    CHECK(in == (audiopool::CopyExtent{2, 64}) && in != (audiopool::CopyExtent{2, 100}));
    CHECK(in.channels == 2 && in.frames == 64);
    for (float& s : a.channel(1)) s *= 2.0f;

    auto b = pool.acquire(1, 32);
    CHECK(b.copyFrom(a) == (audiopool::CopyExtent{1, 32}));  // handle to handle
    CHECK(b.channel(0)[31] == 0.5f);

    auto d = doublePool.acquire(2, 64);  // float -> double and back
    CHECK(d.copyFrom(a) == (audiopool::CopyExtent{2, 64}));
    CHECK(d.channel(1)[0] == -0.5);
    const audiopool::CopyExtent out = d.copyTo(outputs, 2, 100);
    CHECK(out == in);
    CHECK(outL[63] == 0.5f && outR[0] == -0.5f && outL[64] == 0.0f);
    CHECK(a.copyTo(d) == (audiopool::CopyExtent{2, 64}));

    CHECK(audiopool::CopyExtent{} == (audiopool::CopyExtent{0, 0}));
    CHECK(a.copyFrom(static_cast<const float* const*>(nullptr), 2, 64) == audiopool::CopyExtent{});
}

void sharedHandles() {
    auto s = pool.acquireShared();
    CHECK(bool(s) && s.numChannels() == 2 && s.numFrames() == 64 && s.useCount() == 1);
    auto t = s;  // copyable; both view one buffer
    CHECK(s.useCount() == 2 && t.channel(0).data() == s.channel(0).data());
    for (float& x : s.channel(0)) x = 1.0f;
    float sum = 0;
    for (auto it = t.channel(0).begin(); it != t.channel(0).end(); ++it) sum += *it;
    CHECK(sum == 64.0f);
    s.reset();
    CHECK(!s && t.useCount() == 1);
}

void statistics() {
    const audiopool::Stats before = pool.stats();
    CHECK(before.capacity == 4 && before.inUse == 0);
    CHECK(before == pool.stats());
    {
        auto a = pool.acquire(), b = pool.acquire(), c = pool.acquire(), d = pool.acquire();
        auto e = pool.acquire();  // exhausted: an empty handle
        CHECK(!e && pool.stats().inUse == 4);
        const audiopool::Stats during = pool.stats();
        CHECK(during != before && !(during == before));
        CHECK(during.highWater == 4 && during.failedAcquisitions == before.failedAcquisitions + 1);
    }
    auto tooLarge = pool.acquire(3, 64);  // more channels than the pool's buffers
    CHECK(!tooLarge);
    const audiopool::Stats after = pool.stats();
    CHECK(after.inUse == 0 && after.acquisitions == before.acquisitions + 4);
    CHECK(after.releases == before.releases + 4 && after.rejectedRequests == before.rejectedRequests + 1);
    CHECK(after.misuses == 0);
    audiopool::Stats copy = after;
    CHECK(copy == after);
    copy.highWater += 1;
    CHECK(copy != after);
}

int main() {
    spans();
    copies();
    sharedHandles();
    statistics();
    CHECK(audiopool::version != "" && audiopool::version.size() > 0);  // a std::string_view
    if (failures == 0) __builtin_printf("handle operations: ok\n");
    return failures == 0 ? 0 : 1;
}
