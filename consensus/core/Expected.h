#pragma once
// A small Expected<T, E>: either a value or an error. gcc 12 lacks
// std::expected in C++20. Accessing the wrong alternative is a programming
// error and aborts (it never validates input).

#include <cstdlib>
#include <type_traits>
#include <utility>
#include <variant>

namespace agora {

template <typename E>
class Unexpected {
public:
    explicit Unexpected(E e) : error_(std::move(e)) {}
    E& error() & { return error_; }
    E&& error() && { return std::move(error_); }

private:
    E error_;
};

template <typename E>
Unexpected(E) -> Unexpected<E>;

template <typename T, typename E>
class [[nodiscard]] Expected {
public:
    Expected(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT(google-explicit-constructor)
    template <typename G>
    Expected(Unexpected<G> u) : v_(std::in_place_index<1>, E(std::move(u).error())) {}  // NOLINT

    bool hasValue() const { return v_.index() == 0; }
    explicit operator bool() const { return hasValue(); }

    T& value() & { check(true); return std::get<0>(v_); }
    const T& value() const& { check(true); return std::get<0>(v_); }
    T&& value() && { check(true); return std::get<0>(std::move(v_)); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    const E& error() const { check(false); return std::get<1>(v_); }

    template <typename U>
    T valueOr(U&& fallback) const& { return hasValue() ? std::get<0>(v_) : T(std::forward<U>(fallback)); }

private:
    void check(bool wantValue) const {
        if (hasValue() != wantValue) std::abort();
    }
    std::variant<T, E> v_;
};

// Expected<void, E>
template <typename E>
class [[nodiscard]] Expected<void, E> {
public:
    Expected() = default;
    template <typename G>
    Expected(Unexpected<G> u) : err_(E(std::move(u).error())), ok_(false) {}  // NOLINT

    bool hasValue() const { return ok_; }
    explicit operator bool() const { return ok_; }
    const E& error() const { if (ok_) std::abort(); return err_; }

private:
    E err_{};
    bool ok_ = true;
};

}  // namespace agora
