// The CLAP, VST3 and raw-pointer recipes (docs/recipes.md), compiled and run.
// The host structures below are stand-ins with the member names the CLAP and
// VST3 SDKs use, so the recipes compile without the SDKs; in a plugin, include
// <clap/clap.h> or the VST3 SDK's ivstaudioprocessor.h instead.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <vector>
#ifdef AUDIOPOOL_IMPORT
import audiopool;
#else
#include <audiopool/audiopool.hpp>
#endif

struct clap_audio_buffer_t {
    float** data32;
    double** data64;
    std::uint32_t channel_count;
    std::uint32_t latency;
    std::uint64_t constant_mask;
};
struct clap_process_t {
    std::int64_t steady_time;
    std::uint32_t frames_count;
    const void* transport;
    const clap_audio_buffer_t* audio_inputs;
    clap_audio_buffer_t* audio_outputs;
    std::uint32_t audio_inputs_count;
    std::uint32_t audio_outputs_count;
};
namespace Steinberg::Vst {
struct AudioBusBuffers {
    std::int32_t numChannels;
    std::uint64_t silenceFlags;
    float** channelBuffers32;
    double** channelBuffers64;
};
struct ProcessData {
    std::int32_t numSamples;
    std::int32_t numInputs, numOutputs;
    AudioBusBuffers* inputs;
    AudioBusBuffers* outputs;
};
} // namespace Steinberg::Vst

// Every recipe takes one buffer of Pool::frames frames per callback and
// walks the host's block through it in chunks, so any block size works.
using Pool = audiopool::Pool<float, 2, 512, 8, audiopool::IndexStack>;
Pool pool;

// A sub-processor that takes CLAP buffers (here: halves the signal).
void subProcess(const clap_audio_buffer_t& buffer, std::uint32_t frames) {
    for (std::uint32_t c = 0; c < buffer.channel_count; ++c)
        for (std::uint32_t i = 0; i < frames; ++i) buffer.data32[c][i] *= 0.5f;
}

// [clap]
// CLAP: process() hands over data32 channel arrays; a pooled temporary holds
// the input while the output is written, and can itself be handed on as a
// clap_audio_buffer_t to code that takes CLAP buffers.
void clapProcess(const clap_process_t* process) {
    const clap_audio_buffer_t& in = process->audio_inputs[0];
    clap_audio_buffer_t& out = process->audio_outputs[0];
    auto dry = pool.acquire(in.channel_count);  // Pool::frames frames
    if (!dry) return;  // the pool is exhausted: leave the output as the host gave it

    // data32 is float** (a mutable array), channelPointers() the pool's own
    // const array: copy the few pointers, never the samples.
    float* channels[Pool::channels];
    std::copy_n(dry.channelPointers(), dry.numChannels(), channels);
    const clap_audio_buffer_t scratch{channels, nullptr, in.channel_count, 0, 0};

    // frames_count may be larger than the pool's buffers: one chunk at a time.
    const std::uint32_t frames = process->frames_count;
    for (auto [start, count] : audiopool::chunks(frames, Pool::frames)) {
        dry.copyFrom(in.data32, in.channel_count, frames, start);  // frames [start, start + count)
        subProcess(scratch, static_cast<std::uint32_t>(count));  // works on the pooled samples in place
        dry.copyTo(out.data32, out.channel_count, frames, start);
    }
}
// [/clap]

// [vst3]
// VST3: process(ProcessData&) with channelBuffers32 per bus.
void vst3Process(Steinberg::Vst::ProcessData& data) {
    Steinberg::Vst::AudioBusBuffers& in = data.inputs[0];
    Steinberg::Vst::AudioBusBuffers& out = data.outputs[0];
    const auto inChannels = static_cast<std::size_t>(in.numChannels);
    const auto outChannels = static_cast<std::size_t>(out.numChannels);
    const auto frames = static_cast<std::size_t>(data.numSamples);
    auto wet = pool.acquire(inChannels);  // Pool::frames frames
    if (!wet) return;
    for (auto [start, count] : audiopool::chunks(frames, Pool::frames)) {
        wet.copyFrom(in.channelBuffers32, inChannels, frames, start);
        for (std::size_t c = 0; c < wet.numChannels(); ++c)
            for (float& s : wet.channel(c).first(count)) s = -s;  // the effect
        wet.copyTo(out.channelBuffers32, outChannels, frames, start);
    }
}
// [/vst3]

// [raw]
// JACK, PortAudio (non-interleaved), CoreAudio after de-interleaving: an
// array of channel pointers and a frame count. A null channel is skipped.
int rawCallback(const float* const* inputs, float* const* outputs, unsigned long frames) {
    auto tmp = pool.acquire(2);  // Pool::frames frames
    if (!tmp) return 0;
    for (auto [start, count] : audiopool::chunks(frames, Pool::frames)) {
        tmp.copyFrom(inputs, 2, frames, start);  // float or double on either side
        for (std::size_t c = 0; c < tmp.numChannels(); ++c)
            for (float& s : tmp.channel(c).first(count)) s *= 0.25f;  // the effect
        tmp.copyTo(outputs, 2, frames, start);
    }
    return 0;
}
// [/raw]

// [views]
// The host's block as views: each chunk is a view of the host's own memory,
// so a stage that can work in place needs no pooled buffer and no copy into
// one. (A stage that needs scratch memory takes a pooled buffer and copies a
// chunk view into it: tmp.copyFrom(inChunk).)
int viewCallback(const float* const* inputs, float* const* outputs, unsigned long frames) {
    const audiopool::View<const float> in(inputs, 2, frames);
    const audiopool::View<float> out(outputs, 2, frames);
    for (auto [start, count] : audiopool::chunks(frames, Pool::frames)) {
        const auto outChunk = out.frames(start, count);
        outChunk.copyFrom(in.frames(start, count));  // view to view: the host's memory only
        for (std::size_t c = 0; c < outChunk.numChannels(); ++c)
            for (float& s : outChunk.channel(c)) s *= 0.75f;  // the effect, in place
    }
    return 0;
}
// [/views]

/// A sample unique to its position, exact in float, and so are half, a
/// quarter and the negation of it.
float inputSample(std::size_t channel, std::size_t frame) {
    return static_cast<float>(channel * 10000 + frame + 1) / 16.0f;
}

/// A host's two-channel block: inputs filled with inputSample, outputs with
/// a value no recipe writes (so a frame left unwritten shows).
struct Block {
    explicit Block(std::size_t frames) : frames(frames) {
        for (std::size_t c = 0; c < 2; ++c) {
            in[c].resize(frames);
            out[c].assign(frames, 12345.0f);
            for (std::size_t i = 0; i < frames; ++i) in[c][i] = inputSample(c, i);
            inputs[c] = in[c].data();
            outputs[c] = out[c].data();
        }
    }
    /// Output samples that are not `effect` of their input, and input
    /// samples that changed.
    template <class Effect>
    std::size_t wrong(Effect effect) const {
        std::size_t n = 0;
        for (std::size_t c = 0; c < 2; ++c)
            for (std::size_t i = 0; i < frames; ++i)
                n += (out[c][i] != effect(inputSample(c, i))) + (in[c][i] != inputSample(c, i));
        return n;
    }
    std::size_t frames;
    std::vector<float> in[2], out[2];
    float* inputs[2]{};
    float* outputs[2]{};
};

int main() {
    bool ok = true;
    std::size_t calls = 0;
    // Blocks longer than the 512-frame buffers, shorter, empty, one frame
    // over, exactly one buffer and one frame short of two: every output
    // sample is checked.
    for (const std::size_t frames : {4096, 1, 0, 513, 512, 1023}) {
        Block clapBlock(frames);
        clap_audio_buffer_t clapIn{clapBlock.inputs, nullptr, 2, 0, 0};
        clap_audio_buffer_t clapOut{clapBlock.outputs, nullptr, 2, 0, 0};
        const clap_process_t clap{0, static_cast<std::uint32_t>(frames), nullptr, &clapIn, &clapOut, 1, 1};
        clapProcess(&clap);
        const std::size_t clapWrong = clapBlock.wrong([](float x) { return 0.5f * x; });

        Block vstBlock(frames);
        Steinberg::Vst::AudioBusBuffers vstIn{2, 0, vstBlock.inputs, nullptr};
        Steinberg::Vst::AudioBusBuffers vstOut{2, 0, vstBlock.outputs, nullptr};
        Steinberg::Vst::ProcessData vst{static_cast<std::int32_t>(frames), 1, 1, &vstIn, &vstOut};
        vst3Process(vst);
        const std::size_t vstWrong = vstBlock.wrong([](float x) { return -x; });

        Block rawBlock(frames);
        rawCallback(rawBlock.inputs, rawBlock.outputs, frames);
        const std::size_t rawWrong = rawBlock.wrong([](float x) { return 0.25f * x; });

        Block viewBlock(frames);
        viewCallback(viewBlock.inputs, viewBlock.outputs, frames);
        const std::size_t viewWrong = viewBlock.wrong([](float x) { return 0.75f * x; });

        calls += 3;
        std::printf("host recipes, %zu-frame block: wrong samples: clap %zu, vst3 %zu, raw %zu, views %zu\n", frames,
                    clapWrong, vstWrong, rawWrong, viewWrong);
        ok = ok && clapWrong == 0 && vstWrong == 0 && rawWrong == 0 && viewWrong == 0;
    }
    const auto s = pool.stats();
    ok = ok && s.acquisitions == calls && s.inUse == 0 && s.highWater == 1;
    std::printf("host recipes: %s\n", ok ? "ok" : "FAILED");
    return ok ? 0 : 1;
}
