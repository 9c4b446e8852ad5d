// Simulated time. Simulated durations run `speed` times faster than real ones,
// so a 60 s boot takes 0.6 s of real time at --speed 100.
#pragma once

#include <chrono>
#include <cstdint>

namespace cmc::sim {

using SimDuration = std::chrono::milliseconds;

class SimClock {
public:
    explicit SimClock(double speed) : speed_(speed), start_(std::chrono::steady_clock::now()) {}

    [[nodiscard]] double speed() const { return speed_; }

    // Simulated milliseconds since the simulator started.
    [[nodiscard]] std::int64_t nowMs() const {
        auto real = std::chrono::steady_clock::now() - start_;
        return static_cast<std::int64_t>(std::chrono::duration<double, std::milli>(real).count() * speed_);
    }

    // Real duration that corresponds to a simulated one (at least 1 ms when positive).
    [[nodiscard]] std::chrono::steady_clock::duration toReal(SimDuration sim) const {
        if (sim.count() <= 0) return std::chrono::steady_clock::duration::zero();
        auto real = std::chrono::duration<double, std::milli>(static_cast<double>(sim.count()) / speed_);
        auto d = std::chrono::duration_cast<std::chrono::steady_clock::duration>(real);
        if (d < std::chrono::milliseconds(1)) d = std::chrono::milliseconds(1);
        return d;
    }

private:
    double speed_;
    std::chrono::steady_clock::time_point start_;
};

} // namespace cmc::sim
