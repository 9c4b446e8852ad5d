#include "southbound/ipmi/ipmi_client_ops.hpp"

#include <algorithm>
#include <memory>
#include <unordered_set>

namespace cmc::southbound::ipmi {
namespace {

constexpr std::size_t kFruChunk = 24; // bytes per Read FRU Data, shrinks if the BMC wants less
constexpr std::size_t kFruMinChunk = 4;

class FruRead : public std::enable_shared_from_this<FruRead> {
public:
    FruRead(Submit submit, std::function<void(IpmiResult<IpmiFru>)> done)
        : submit_(std::move(submit)), done_(std::move(done)) {}

    void start() {
        submit_(kNetFnStorage, kCmdGetFruAreaInfo, {0x00}, [self = shared_from_this()](RawResult raw) {
            if (!raw.ok() && raw.error != IpmiError::CompletionCode) return self->fail(carryError<IpmiFru>(raw));
            auto info = decodeFruAreaInfo(Bytes(raw.value));
            if (!info.ok()) return self->failFrom(info);
            if (info.value.wordAccess) return self->malformed("FRU device 0 uses word access, which is not supported");
            self->size_ = info.value.size;
            if (self->size_ < 8) return self->malformed("FRU area of " + std::to_string(self->size_) + " bytes");
            self->read(0, 8, [self](std::vector<std::uint8_t> h) { self->gotHeader(std::move(h)); });
        });
    }

private:
    using Got = std::function<void(std::vector<std::uint8_t>)>;

    void gotHeader(std::vector<std::uint8_t> header) {
        auto h = parseFruHeader(Bytes(header));
        if (!h.ok()) return failFrom(h);
        header_ = h.value;
        readArea(header_.boardOffset, [self = shared_from_this()](std::vector<std::uint8_t> board) {
            std::string why;
            if (!board.empty() && !parseBoardArea(Bytes(board), self->fru_, why)) return self->malformed(why);
            self->readArea(self->header_.productOffset, [self](std::vector<std::uint8_t> product) {
                std::string why2;
                if (!product.empty() && !parseProductArea(Bytes(product), self->fru_, why2))
                    return self->malformed(why2);
                IpmiResult<IpmiFru> r;
                r.value = std::move(self->fru_);
                self->done_(std::move(r));
            });
        });
    }

    // Reads a whole area (length from its second byte); empty if absent.
    void readArea(std::uint16_t offset, Got got) {
        if (offset == 0) return got({});
        read(offset, 2, [self = shared_from_this(), offset, got = std::move(got)](std::vector<std::uint8_t> head) {
            const std::size_t len = static_cast<std::size_t>(head[1]) * 8;
            if (len < 8) return self->malformed("FRU area at offset " + std::to_string(offset) + " has length 0");
            self->read(offset, len, got);
        });
    }

    // Reads [offset, offset+len) in chunks; fails the whole read on error.
    void read(std::size_t offset, std::size_t len, Got got) {
        if (offset + len > size_) {
            return malformed("FRU data at " + std::to_string(offset) + "+" + std::to_string(len) + " is outside the " +
                             std::to_string(size_) + "-byte FRU area");
        }
        auto buf = std::make_shared<std::vector<std::uint8_t>>();
        buf->reserve(len);
        readChunk(offset, len, std::move(buf), std::move(got));
    }

    void readChunk(std::size_t offset, std::size_t len, std::shared_ptr<std::vector<std::uint8_t>> buf, Got got) {
        if (buf->size() >= len) return got(std::move(*buf));
        const std::size_t at = offset + buf->size();
        const std::size_t n = std::min(chunk_, len - buf->size());
        std::vector<std::uint8_t> req{0x00, static_cast<std::uint8_t>(at & 0xff), static_cast<std::uint8_t>(at >> 8),
                                      static_cast<std::uint8_t>(n)};
        submit_(kNetFnStorage, kCmdReadFruData, std::move(req),
                [self = shared_from_this(), offset, len, buf, got = std::move(got), n](RawResult raw) mutable {
                    if (raw.error == IpmiError::CompletionCode &&
                        (raw.completionCode == kCcLengthExceeded || raw.completionCode == kCcCannotReturnLength ||
                         raw.completionCode == 0xc7) &&
                        self->chunk_ > kFruMinChunk) {
                        self->chunk_ = std::max(kFruMinChunk, self->chunk_ / 2);
                        return self->readChunk(offset, len, std::move(buf), std::move(got));
                    }
                    if (!raw.ok() && raw.error != IpmiError::CompletionCode)
                        return self->fail(carryError<IpmiFru>(raw));
                    auto data = decodeReadFruData(Bytes(raw.value));
                    if (!data.ok()) return self->failFrom(data);
                    if (data.value.empty() || data.value.size() > n)
                        return self->malformed("Read FRU Data returned " + std::to_string(data.value.size()) +
                                               " bytes for " + std::to_string(n));
                    buf->insert(buf->end(), data.value.begin(), data.value.end());
                    self->readChunk(offset, len, std::move(buf), std::move(got));
                });
    }

    template <typename T> void failFrom(const IpmiResult<T>& other) {
        IpmiResult<IpmiFru> r;
        r.error = other.error;
        r.completionCode = other.completionCode;
        r.message = "FRU: " + other.message;
        fail(std::move(r));
    }
    void malformed(std::string why) {
        IpmiResult<IpmiFru> r;
        r.error = IpmiError::Malformed;
        r.message = "FRU: " + std::move(why);
        fail(std::move(r));
    }
    void fail(IpmiResult<IpmiFru> r) { done_(std::move(r)); }

    Submit submit_;
    std::function<void(IpmiResult<IpmiFru>)> done_;
    std::size_t size_ = 0;
    std::size_t chunk_ = kFruChunk;
    FruHeader header_;
    IpmiFru fru_;
};

class SelRead : public std::enable_shared_from_this<SelRead> {
public:
    using Done = std::function<void(IpmiResult<std::vector<IpmiSelEntry>>)>;
    SelRead(Submit submit, std::uint16_t firstId, std::size_t max, Done done)
        : submit_(std::move(submit)), firstId_(firstId), max_(max), done_(std::move(done)) {}

    void start() {
        if (max_ == 0) return finish();
        get(firstId_);
    }

private:
    void get(std::uint16_t id) {
        if (!seen_.insert(id).second || seen_.size() > 65536)
            return malformed("SEL record chain loops at id " + std::to_string(id));
        std::vector<std::uint8_t> req{static_cast<std::uint8_t>(reservation_ & 0xff),
                                      static_cast<std::uint8_t>(reservation_ >> 8),
                                      static_cast<std::uint8_t>(id & 0xff),
                                      static_cast<std::uint8_t>(id >> 8),
                                      0x00,
                                      0xff};
        submit_(kNetFnStorage, kCmdGetSelEntry, std::move(req),
                [self = shared_from_this(), id](RawResult raw) { self->gotEntry(id, std::move(raw)); });
    }

    void gotEntry(std::uint16_t id, RawResult raw) {
        if (raw.error == IpmiError::CompletionCode && raw.completionCode == kCcInvalidReservation && !reserved_) {
            reserved_ = true;
            seen_.erase(id);
            return submit_(kNetFnStorage, kCmdReserveSel, {}, [self = shared_from_this(), id](RawResult r) {
                if (!r.ok() && r.error != IpmiError::CompletionCode) return self->fail(carry(r));
                auto res = decodeReserveSel(Bytes(r.value));
                if (!res.ok()) return self->fail(carry(res));
                self->reservation_ = res.value;
                self->get(id);
            });
        }
        if (raw.error == IpmiError::CompletionCode && raw.completionCode == kCcNotPresent) {
            if (id == firstId_ && firstId_ != 0 && !filtering_) {
                // firstId is not a record id: walk from the start, keep ids >= firstId.
                filtering_ = true;
                seen_.clear();
                return get(0);
            }
            return finish(); // empty SEL, or the SEL changed under us: what we have
        }
        if (!raw.ok() && raw.error != IpmiError::CompletionCode) return fail(carry(raw));
        auto e = decodeSelEntry(Bytes(raw.value));
        if (!e.ok()) return fail(carry(e));
        if (!filtering_ || e.value.entry.recordId >= firstId_) entries_.push_back(e.value.entry);
        if (entries_.size() >= max_ || e.value.nextId == 0xffff) return finish();
        get(e.value.nextId);
    }

    template <typename T> static IpmiResult<std::vector<IpmiSelEntry>> carry(const IpmiResult<T>& o) {
        IpmiResult<std::vector<IpmiSelEntry>> r;
        r.error = o.error;
        r.completionCode = o.completionCode;
        r.message = "SEL: " + o.message;
        return r;
    }
    void malformed(std::string why) {
        IpmiResult<std::vector<IpmiSelEntry>> r;
        r.error = IpmiError::Malformed;
        r.message = "SEL: " + std::move(why);
        fail(std::move(r));
    }
    void fail(IpmiResult<std::vector<IpmiSelEntry>> r) { done_(std::move(r)); }
    void finish() {
        IpmiResult<std::vector<IpmiSelEntry>> r;
        r.value = std::move(entries_);
        done_(std::move(r));
    }

    Submit submit_;
    std::uint16_t firstId_;
    std::size_t max_;
    Done done_;
    std::uint16_t reservation_ = 0;
    bool reserved_ = false;
    bool filtering_ = false;
    std::unordered_set<std::uint16_t> seen_;
    std::vector<IpmiSelEntry> entries_;
};

} // namespace

void startFruRead(Submit submit, std::function<void(IpmiResult<IpmiFru>)> done) {
    std::make_shared<FruRead>(std::move(submit), std::move(done))->start();
}

void startSelRead(Submit submit, std::uint16_t firstId, std::size_t max,
                  std::function<void(IpmiResult<std::vector<IpmiSelEntry>>)> done) {
    std::make_shared<SelRead>(std::move(submit), firstId, max, std::move(done))->start();
}

} // namespace cmc::southbound::ipmi
