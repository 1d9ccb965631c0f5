"""Refusals of the reports, win-back and import pages, in Korean and English."""

MESSAGES: dict[str, dict[str, str]] = {
    "winback.days": {
        "ko": "기간은 {minimum}일에서 {maximum}일 사이로 입력하세요. (입력: {value})",
        "en": "Enter a number of days from {minimum} to {maximum} (got {value}).",
    },
    "winback.nobody": {
        "ko": "{days}일 넘게 방문하지 않은 회원이 없습니다.",
        "en": "No member has stayed away for more than {days} days.",
    },
    "import.mapping_no_phone": {
        "ko": "전화번호 열을 골라야 가져올 수 있습니다.",
        "en": "Pick the column that holds the phone number.",
    },
    "import.mapping_unknown_column": {
        "ko": "파일에 '{column}' 열이 없습니다.",
        "en": "The file has no column '{column}'.",
    },
    "import.mapping_twice": {
        "ko": "'{column}' 열을 두 항목에 골랐습니다. 한 번만 고르세요.",
        "en": "The column '{column}' is picked twice; pick it once.",
    },
    "import.mapping_field": {
        "ko": "알 수 없는 항목입니다: {field}",
        "en": "Unknown field: {field}",
    },
    "import.empty": {
        "ko": "파일에 제목 줄이 없습니다. 첫 줄에 열 이름이 있는 CSV 파일을 고르세요.",
        "en": "The file has no header line. Pick a CSV file whose first line names the columns.",
    },
}
