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

using Pool = audiopool::Pool<float, 2, 1024, 8, audiopool::IndexStack>;
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
    auto dry = pool.acquire(in.channel_count, process->frames_count);
    if (!dry) return;  // the pool is exhausted: leave the output as the host gave it
    dry.copyFrom(in.data32, in.channel_count, process->frames_count);

    // data32 is float** (a mutable array), channelPointers() the pool's own
    // const array: copy the few pointers, never the samples.
    float* channels[Pool::channels];
    std::copy_n(dry.channelPointers(), dry.numChannels(), channels);
    const clap_audio_buffer_t scratch{channels, nullptr, in.channel_count, 0, 0};
    subProcess(scratch, process->frames_count);  // works on the pooled samples in place

    dry.copyTo(out.data32, out.channel_count, process->frames_count);
}
// [/clap]

// [vst3]
// VST3: process(ProcessData&) with channelBuffers32 per bus.
void vst3Process(Steinberg::Vst::ProcessData& data) {
    Steinberg::Vst::AudioBusBuffers& in = data.inputs[0];
    Steinberg::Vst::AudioBusBuffers& out = data.outputs[0];
    auto wet = pool.acquire(static_cast<std::size_t>(in.numChannels), static_cast<std::size_t>(data.numSamples));
    if (!wet) return;
    wet.copyFrom(in.channelBuffers32, static_cast<std::size_t>(in.numChannels),
                 static_cast<std::size_t>(data.numSamples));
    for (std::size_t c = 0; c < wet.numChannels(); ++c)
        for (float& s : wet.channel(c)) s = -s;  // the effect
    wet.copyTo(out.channelBuffers32, static_cast<std::size_t>(out.numChannels),
               static_cast<std::size_t>(data.numSamples));
}
// [/vst3]

// [raw]
// JACK, PortAudio (non-interleaved), CoreAudio after de-interleaving: an
// array of channel pointers and a frame count. A null channel is skipped.
int rawCallback(const float* const* inputs, float* const* outputs, unsigned long frames) {
    auto tmp = pool.acquire(2, frames);
    if (!tmp) return 0;
    tmp.copyFrom(inputs, 2, frames);  // float or double on either side
    tmp.copyTo(outputs, 2, frames);
    return 0;
}
// [/raw]

int main() {
    std::vector<float> inL(300, 0.5f), inR(300, 0.25f), outL(300), outR(300);
    float* inputs[] = {inL.data(), inR.data()};
    float* outputs[] = {outL.data(), outR.data()};

    clap_audio_buffer_t clapIn{inputs, nullptr, 2, 0, 0}, clapOut{outputs, nullptr, 2, 0, 0};
    const clap_process_t clap{0, 300, nullptr, &clapIn, &clapOut, 1, 1};
    clapProcess(&clap);
    bool ok = outL[299] == 0.25f && outR[0] == 0.125f && inL[0] == 0.5f;

    Steinberg::Vst::AudioBusBuffers vstIn{2, 0, inputs, nullptr}, vstOut{2, 0, outputs, nullptr};
    Steinberg::Vst::ProcessData vst{300, 1, 1, &vstIn, &vstOut};
    vst3Process(vst);
    ok = ok && outL[0] == -0.5f && outR[299] == -0.25f;

    rawCallback(inputs, outputs, 300);
    ok = ok && outL[5] == 0.5f && outR[5] == 0.25f;
    const auto s = pool.stats();
    ok = ok && s.acquisitions == 3 && s.inUse == 0;
    std::printf("host recipes: %s\n", ok ? "ok" : "FAILED");
    return ok ? 0 : 1;
}
