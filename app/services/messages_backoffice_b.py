"""Refusals of the back office's customer pages (list, record, merge), in Korean and English."""

MESSAGES: dict[str, dict[str, str]] = {
    "customers.sort_unknown": {
        "ko": "'{sort}' 순서로는 정렬할 수 없습니다. 가입순 또는 이름순을 고르세요.",
        "en": "Cannot sort by '{sort}'. Pick enrollment or name order.",
    },
    "customers.status_unknown": {
        "ko": "'{status}'는 회원 상태가 아닙니다.",
        "en": "'{status}' is not a member status.",
    },
    "merge.same": {
        "ko": "같은 회원끼리는 합칠 수 없습니다. 다른 회원을 고르세요.",
        "en": "A member cannot be merged with itself. Pick another member.",
    },
    "merge.inactive": {
        "ko": "이용 중인 회원끼리만 합칠 수 있습니다 (이 회원은 '{status}' 상태).",
        "en": "Only active members can be merged (this one is '{status}').",
    },
}
