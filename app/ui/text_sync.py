"""Strings of sync on screen: the status bar and the back office's sync page."""

TEXTS: dict[str, dict[str, str]] = {
    "page.sync": {"ko": "동기화", "en": "Sync"},
    "sync.status.ok": {"ko": "☁ 동기화됨 · {time}", "en": "☁ In sync · {time}"},
    "sync.status.pending": {
        "ko": "☁ 보낼 변경 {n}건 · 마지막 성공 {time}",
        "en": "☁ {n} changes waiting · last success {time}",
    },
    "sync.status.never": {"ko": "아직 없음", "en": "never"},
    "sync.status.error": {"ko": " · 오류: {error}", "en": " · error: {error}"},
    "sync.error.unreachable": {
        "ko": "서버에 연결할 수 없습니다 (오프라인에서도 계산대는 그대로 쓸 수 있습니다)",
        "en": "cannot reach the server (the counter keeps working offline)",
    },
    "sync.title": {"ko": "여러 계산대·매장 동기화", "en": "Sync registers and stores"},
    "sync.explain": {
        "ko": "중앙 PostgreSQL 서버에 연결하면 모든 계산대와 매장이 같은 회원·포인트·등급을 봅니다. "
        "연결이 끊겨도 이 계산대는 그대로 동작하고, 다시 연결되면 밀린 변경을 주고받습니다. "
        "비밀번호는 운영체제의 키링에 보관됩니다.",
        "en": "Connected to a central PostgreSQL server, every register of every store sees the "
        "same members, points and tiers. Offline, this register keeps working and catches up "
        "when the server is back. The password is kept in the operating system's keyring.",
    },
    "sync.url": {"ko": "서버 주소 (postgresql://…)", "en": "Server URL (postgresql://…)"},
    "sync.store": {"ko": "매장 이름", "en": "Store name"},
    "sync.register": {"ko": "계산대 이름", "en": "Register name"},
    "sync.test": {"ko": "연결 테스트", "en": "Test connection"},
    "sync.setup": {"ko": "연결하고 올리기", "en": "Connect and upload"},
    "sync.now": {"ko": "지금 동기화", "en": "Sync now"},
    "sync.tested": {"ko": "연결됨 ({ms} ms)", "en": "Connected ({ms} ms)"},
    "sync.set_up": {
        "ko": "연결했습니다: {store} · {register}. 올린 행 {rows:,}개.",
        "en": "Connected: {store} · {register}. {rows:,} rows uploaded.",
    },
    "sync.synced": {
        "ko": "보냄 {pushed}건 · 받음 {pulled}건 · 남은 변경 {left}건",
        "en": "Sent {pushed} · received {pulled} · {left} waiting",
    },
    "sync.state": {"ko": "상태", "en": "Status"},
    "sync.attention": {"ko": "확인이 필요한 항목", "en": "Needs attention"},
    "sync.attention.none": {"ko": "없음", "en": "Nothing"},
    "sync.kind.negative_balance": {
        "ko": "포인트가 두 곳에서 사용되어 잔액이 마이너스",
        "en": "points spent at two places: negative balance",
    },
    "sync.kind.duplicate": {"ko": "중복 기록", "en": "duplicate record"},
    "sync.col.what": {"ko": "내용", "en": "What"},
    "sync.col.who": {"ko": "회원", "en": "Member"},
    "sync.col.points": {"ko": "포인트", "en": "Points"},
}
