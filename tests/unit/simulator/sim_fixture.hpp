// A small rack of simulated blades on a fast simulated clock, driven by
// running the io_context until a condition holds (no sleeping).
#pragma once

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <vector>

#include "fabric/fabric.hpp"
#include "hardware/blade.hpp"

namespace cmc::sim::test {

struct MiniRack {
    explicit MiniRack(std::size_t n, double speed = 2000.0) : clock(speed), fabric(io, clock) {
        std::vector<Blade*> raw;
        for (std::size_t i = 0; i < n; ++i) {
            BladeSpec spec;
            spec.slot = static_cast<std::uint16_t>(i + 1);
            blades.push_back(std::make_unique<Blade>(io, clock, fabric, spec));
            raw.push_back(blades.back().get());
        }
        fabric.attach(raw);
        fabric.start();
    }

    // Runs the loop until pred() holds; false if it never does within `limit` of real time.
    bool runUntil(const std::function<bool()>& pred,
                  std::chrono::milliseconds limit = std::chrono::milliseconds(5000)) {
        auto deadline = std::chrono::steady_clock::now() + limit;
        while (!pred()) {
            if (std::chrono::steady_clock::now() > deadline) return false;
            io.run_one_for(std::chrono::milliseconds(5));
        }
        return true;
    }

    // Lets pending posted work (invariant evaluation) run.
    void settle() {
        io.poll();
        io.restart();
    }

    Blade& blade(std::size_t slot) { return *blades.at(slot - 1); }

    boost::asio::io_context io;
    SimClock clock;
    Fabric fabric;
    std::vector<std::unique_ptr<Blade>> blades;
};

} // namespace cmc::sim::test
