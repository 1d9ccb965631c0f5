"""Korean and English sentences for what cloud sync refuses."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "sync.not_set_up": {
        "ko": "클라우드 동기화가 설정되지 않았습니다. 먼저 'dangol sync setup 주소'를 실행하세요.",
        "en": "Cloud sync is not set up. Run 'dangol sync setup URL' first.",
    },
    "sync.unreachable": {
        "ko": "중앙 데이터베이스에 연결할 수 없습니다 ({detail}). 이 계산대는 계속 오프라인으로 "
        "작동하며 연결되면 자동으로 맞춥니다.",
        "en": "The central database cannot be reached ({detail}). This register keeps working "
        "offline and catches up by itself once it is back.",
    },
    "sync.failed": {
        "ko": "동기화가 중단되었습니다 ({detail}). 아무것도 잃지 않았으며 다음 동기화에서 다시 "
        "시도합니다.",
        "en": "Sync stopped ({detail}). Nothing was lost; the next sync tries again.",
    },
    "sync.not_postgres": {
        "ko": "PostgreSQL 주소가 아닙니다: {url} (예: postgresql://사용자@서버:5432/단골)",
        "en": "Not a PostgreSQL URL: {url} (for example postgresql://user@server:5432/dangol)",
    },
    "sync.local_not_sqlite": {
        "ko": "동기화는 계산대의 로컬 데이터베이스(SQLite 파일)에서만 설정할 수 있습니다.",
        "en": "Sync is set up from a register's local database (its SQLite file) only.",
    },
    "sync.server_newer": {
        "ko": "중앙 데이터베이스가 더 새로운 버전의 단골로 만들어졌습니다 ({revision}). "
        "이 계산대의 프로그램을 업데이트하세요.",
        "en": "The central database was made by a newer version of Dangol ({revision}). "
        "Update the app on this register.",
    },
    "sync.spent_elsewhere": {
        "ko": "다른 매장에서 이미 사용된 포인트가 있습니다. "
        "사용 가능 {balance:,}P, 요청 {points:,}P.",
        "en": "Some of these points were already used at another store: {balance:,} usable, "
        "{points:,} asked.",
    },
}
