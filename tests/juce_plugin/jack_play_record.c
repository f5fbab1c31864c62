/* jack_play_record: plays a float WAV into a JACK client's inputs and records
 * that client's outputs, in the same process callback, next to the samples
 * it played (scripts/juce-plugin-host-check.sh runs the JUCE plugin in jalv
 * through it).
 *
 *     jack_play_record IN.wav OUT.wav CLIENT TAIL_FRAMES TIMEOUT_SECONDS
 *
 * IN.wav: 32-bit float, CLIENT's input count of channels or fewer. Ports
 * out_k are connected to CLIENT:audio_in_k and CLIENT:audio_out_k to in_k.
 * Playing starts in the first cycle after every connection is made: frame 0
 * of the recording is the first frame played. It records the file's frames
 * and TAIL_FRAMES more (silence played), then writes OUT.wav: 32-bit float,
 * channels played 1..C, then channels recorded 1..C. No sample is converted
 * or resampled; the file's sample rate is not checked against JACK's.
 *
 * Exit status 0 when all was recorded; 1 on any error or when
 * TIMEOUT_SECONDS pass first (nothing is written then). */
#define _POSIX_C_SOURCE 200809L
#include <jack/jack.h>

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_CHANNELS 8

static jack_port_t* outPorts[MAX_CHANNELS];
static jack_port_t* inPorts[MAX_CHANNELS];
static unsigned channels;
static float* played;       /* the file's samples, interleaved, then silence */
static float* recorded;     /* channels recorded, interleaved */
static size_t fileFrames, totalFrames;
static atomic_size_t position; /* frames played and recorded (written by the process thread) */
static atomic_int started;  /* set by the main thread once connected */
static atomic_int finished; /* set by the process thread when all is recorded */
static atomic_int serverGone;

static int process(jack_nframes_t frames, void* arg) {
    (void)arg;
    float* out[MAX_CHANNELS];
    const float* in[MAX_CHANNELS];
    for (unsigned c = 0; c < channels; ++c) {
        out[c] = jack_port_get_buffer(outPorts[c], frames);
        in[c] = jack_port_get_buffer(inPorts[c], frames);
    }
    const int start = atomic_load(&started);
    size_t at = atomic_load_explicit(&position, memory_order_relaxed);
    for (jack_nframes_t i = 0; i < frames; ++i) {
        const int playing = start && at < totalFrames;
        for (unsigned c = 0; c < channels; ++c) {
            out[c][i] = playing ? played[at * channels + c] : 0.0f;
            if (playing) recorded[at * channels + c] = in[c][i];
        }
        if (playing) ++at;
    }
    atomic_store_explicit(&position, at, memory_order_relaxed);
    if (at == totalFrames) atomic_store(&finished, 1); /* publishes `recorded` to the main thread */
    return 0;
}

static void shutdownCallback(void* arg) {
    (void)arg;
    atomic_store(&serverGone, 1);
}

static uint32_t le32(const unsigned char* p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint16_t le16(const unsigned char* p) { return (uint16_t)(p[0] | p[1] << 8); }

/* Reads a 32-bit float WAV (format 3, or extensible with a float subformat). */
static int readWav(const char* path, unsigned* numChannels, size_t* frames, float** samples) {
    FILE* f = fopen(path, "rb");
    if (!f) return perror(path), -1;
    unsigned char header[12], chunk[8], fmt[40];
    int haveFmt = 0;
    if (fread(header, 1, 12, f) != 12 || memcmp(header, "RIFF", 4) || memcmp(header + 8, "WAVE", 4))
        return fprintf(stderr, "%s: not a WAV file\n", path), fclose(f), -1;
    while (fread(chunk, 1, 8, f) == 8) {
        const uint32_t size = le32(chunk + 4);
        if (!memcmp(chunk, "fmt ", 4) && size >= 16 && size <= sizeof fmt) {
            if (fread(fmt, 1, size, f) != size) break;
            const unsigned format = le16(fmt), bits = le16(fmt + 14);
            const int isFloat = format == 3 || (format == 0xFFFE && size >= 26 && le16(fmt + 24) == 3);
            if (!isFloat || bits != 32) return fprintf(stderr, "%s: not 32-bit float\n", path), fclose(f), -1;
            *numChannels = le16(fmt + 2);
            haveFmt = 1;
            if (size & 1) fseek(f, 1, SEEK_CUR);
        } else if (!memcmp(chunk, "data", 4) && haveFmt) {
            *frames = size / (4u * *numChannels);
            *samples = malloc(*frames * *numChannels * sizeof(float) + 1);
            if (!*samples || fread(*samples, sizeof(float) * *numChannels, *frames, f) != *frames) break;
            fclose(f);
            return 0;  /* little-endian floats, as this machine's */
        } else if (fseek(f, (long)size + (size & 1), SEEK_CUR)) {
            break;
        }
    }
    fprintf(stderr, "%s: no float data found\n", path);
    fclose(f);
    return -1;
}

static void put32(FILE* f, uint32_t v) {
    const unsigned char b[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16), (unsigned char)(v >> 24)};
    fwrite(b, 1, 4, f);
}
static void put16(FILE* f, unsigned v) {
    const unsigned char b[2] = {(unsigned char)v, (unsigned char)(v >> 8)};
    fwrite(b, 1, 2, f);
}

static int writeWav(const char* path, unsigned numChannels, size_t frames, unsigned rate, const float* a,
                    unsigned channelsA, const float* b, unsigned channelsB) {
    FILE* f = fopen(path, "wb");
    if (!f) return perror(path), -1;
    const uint32_t dataBytes = (uint32_t)(frames * numChannels * 4);
    fwrite("RIFF", 1, 4, f);
    put32(f, 4 + 24 + 12 + 8 + dataBytes);
    fwrite("WAVEfmt ", 1, 8, f);
    put32(f, 16);
    put16(f, 3);
    put16(f, numChannels);
    put32(f, rate);
    put32(f, rate * numChannels * 4);
    put16(f, numChannels * 4);
    put16(f, 32);
    fwrite("fact", 1, 4, f);
    put32(f, 4);
    put32(f, (uint32_t)frames);
    fwrite("data", 1, 4, f);
    put32(f, dataBytes);
    for (size_t i = 0; i < frames; ++i) {
        fwrite(a + i * channelsA, sizeof(float), channelsA, f);
        fwrite(b + i * channelsB, sizeof(float), channelsB, f);
    }
    return fclose(f) == 0 ? 0 : (perror(path), -1);
}

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

int main(int argc, char** argv) {
    if (argc != 6) {
        fprintf(stderr, "usage: %s IN.wav OUT.wav CLIENT TAIL_FRAMES TIMEOUT_SECONDS\n", argv[0]);
        return 2;
    }
    const char *inPath = argv[1], *outPath = argv[2], *client = argv[3];
    const size_t tail = strtoul(argv[4], NULL, 10);
    const double timeout = atof(argv[5]);
    const double deadline = now() + timeout;

    float* fileSamples = NULL;
    if (readWav(inPath, &channels, &fileFrames, &fileSamples)) return 1;
    if (channels == 0 || channels > MAX_CHANNELS) return fprintf(stderr, "%u channels: unsupported\n", channels), 1;
    totalFrames = fileFrames + tail;
    played = calloc(totalFrames * channels, sizeof(float));
    recorded = calloc(totalFrames * channels, sizeof(float));
    if (!played || !recorded) return fprintf(stderr, "out of memory\n"), 1;
    memcpy(played, fileSamples, fileFrames * channels * sizeof(float));

    jack_status_t status;
    jack_client_t* jack = jack_client_open("play_record", JackNoStartServer, &status);
    if (!jack) return fprintf(stderr, "cannot connect to the JACK server (status 0x%x)\n", (unsigned)status), 1;
    for (unsigned c = 0; c < channels; ++c) {
        char name[32];
        snprintf(name, sizeof name, "out_%u", c + 1);
        outPorts[c] = jack_port_register(jack, name, JACK_DEFAULT_AUDIO_TYPE, JackPortIsOutput, 0);
        snprintf(name, sizeof name, "in_%u", c + 1);
        inPorts[c] = jack_port_register(jack, name, JACK_DEFAULT_AUDIO_TYPE, JackPortIsInput, 0);
        if (!outPorts[c] || !inPorts[c]) return fprintf(stderr, "cannot register ports\n"), 1;
    }
    jack_set_process_callback(jack, process, NULL);
    jack_on_shutdown(jack, shutdownCallback, NULL);
    if (jack_activate(jack)) return fprintf(stderr, "cannot activate the client\n"), 1;
    for (unsigned c = 0; c < channels; ++c) {
        char theirs[256];
        snprintf(theirs, sizeof theirs, "%s:audio_in_%u", client, c + 1);
        if (jack_connect(jack, jack_port_name(outPorts[c]), theirs))
            return fprintf(stderr, "cannot connect %s to %s\n", jack_port_name(outPorts[c]), theirs), 1;
        snprintf(theirs, sizeof theirs, "%s:audio_out_%u", client, c + 1);
        if (jack_connect(jack, theirs, jack_port_name(inPorts[c])))
            return fprintf(stderr, "cannot connect %s to %s\n", theirs, jack_port_name(inPorts[c])), 1;
    }
    const unsigned rate = jack_get_sample_rate(jack);
    const unsigned period = jack_get_buffer_size(jack);
    atomic_store(&started, 1);

    while (!atomic_load(&finished) && !atomic_load(&serverGone) && now() < deadline) {
        const struct timespec pause = {0, 5000000};
        nanosleep(&pause, NULL);
    }
    const int complete = atomic_load(&finished);
    if (!atomic_load(&serverGone)) {
        jack_deactivate(jack);
        jack_client_close(jack);
    }
    if (!complete) {
        fprintf(stderr, "%s: timed out or the server went away after %zu of %zu frames\n", argv[0],
                atomic_load(&position), totalFrames);
        return 1;
    }
    if (writeWav(outPath, 2 * channels, totalFrames, rate, played, channels, recorded, channels)) return 1;
    printf("played and recorded %zu frames (%zu of them the file's), %u channels, %u Hz, period %u\n",
           totalFrames, fileFrames, channels, rate, period);
    return 0;
}
