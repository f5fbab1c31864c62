// A buffer shaped like juce::AudioBuffer<T>, for the tests that copy to and
// from JUCE-shaped buffers without JUCE itself.
//
// Library-independent: include it before `import audiopool;`.
#pragma once
#include <cstddef>
#include <vector>

namespace test {

/// A buffer shaped like juce::AudioBuffer<T> (the members audiopool's
/// JuceLike concepts ask for, and nothing else).
template <class T>
class JuceShapedBuffer {
public:
    JuceShapedBuffer(int channels, int samples)
        : channels_(channels), samples_(samples),
          data_(static_cast<std::size_t>(channels) * static_cast<std::size_t>(samples)) {}
    int getNumChannels() const { return channels_; }
    int getNumSamples() const { return samples_; }
    const T* getReadPointer(int channel) const { return data_.data() + offset(channel); }
    T* getWritePointer(int channel) { return data_.data() + offset(channel); }
    T& at(int channel, int sample) { return data_[offset(channel) + static_cast<std::size_t>(sample)]; }

    /// Fills sample (c, i) with a value unique to its position.
    void fillRamp(T base = T(0)) {
        for (int c = 0; c < channels_; ++c)
            for (int i = 0; i < samples_; ++i) at(c, i) = base + rampValue(c, i);
    }
    static T rampValue(int channel, int sample) { return T(channel * 1000 + sample) / T(8); }

private:
    std::size_t offset(int channel) const {
        return static_cast<std::size_t>(channel) * static_cast<std::size_t>(samples_);
    }
    int channels_, samples_;
    std::vector<T> data_;
};

} // namespace test
