"""Korean and English sentences for what the use cases refuse (the rules' own are in domain)."""

from __future__ import annotations

SERVICE_MESSAGES: dict[str, dict[str, str]] = {
    "clock.invalid": {
        "ko": "DANGOL_NOW 값이 올바른 날짜·시각이 아닙니다: {value}",
        "en": "DANGOL_NOW is not a valid ISO 8601 date and time: {value}",
    },
    "db.newer_version": {
        "ko": "이 데이터베이스는 더 새로운 버전의 단골에서 만들어졌습니다 ({revision}). 프로그램을 업데이트하세요.",
        "en": "This database was made by a newer version of Dangol ({revision}). Update the app.",
    },
    "db.missing": {
        "ko": "데이터베이스가 없습니다: {target}. 먼저 'dangol init'을 실행하세요.",
        "en": "There is no database at {target}. Run 'dangol init' first.",
    },
    "who.ambiguous": {
        "ko": "'{query}'(으)로는 한 사람을 특정할 수 없습니다. 전체 휴대폰 번호나 카드를 사용하세요.",
        "en": "'{query}' does not pick out one customer. Use the full phone number or the card.",
    },
    "query.invalid": {
        "ko": "'{query}'은(는) 전화번호, 뒤 4자리, 이름, 카드 번호 어느 것도 아닙니다.",
        "en": "'{query}' is not a phone number, last 4 digits, a name or a card number.",
    },
    "customer.not_found": {
        "ko": "'{query}'에 해당하는 회원이 없습니다.",
        "en": "No member matches '{query}'.",
    },
    "customer.inactive": {
        "ko": "탈퇴했거나 삭제된 회원입니다.",
        "en": "This member has withdrawn or been erased.",
    },
    "customer.exists": {
        "ko": "이미 가입된 번호입니다 ({phone}).",
        "en": "This number is already a member ({phone}).",
    },
    "customer.name_too_long": {
        "ko": "이름은 {maximum}자까지 입력할 수 있습니다.",
        "en": "A name can be at most {maximum} characters.",
    },
    "customer.name_digits": {
        "ko": "이름에 숫자를 넣을 수 없습니다.",
        "en": "A name cannot contain digits.",
    },
    "customer.birthday_invalid": {
        "ko": "생일은 YYYY-MM-DD 형식으로 입력하세요 (입력: {value}).",
        "en": "Enter the birthday as YYYY-MM-DD (got {value}).",
    },
    "customer.birthday_range": {
        "ko": "생일이 올바르지 않습니다: {value}",
        "en": "That birthday is not possible: {value}",
    },
    "card.revoked": {
        "ko": "사용이 중지된 카드입니다. 새 카드를 발급하세요.",
        "en": "This card has been revoked. Issue a new card.",
    },
    "card.blank": {
        "ko": "아직 회원이 지정되지 않은 카드입니다. 가입할 때 이 카드를 스캔하세요.",
        "en": "This card is not assigned to anyone yet. Scan it when enrolling a member.",
    },
    "card.invalid": {
        "ko": "카드 번호가 올바르지 않습니다.",
        "en": "That is not a valid card number.",
    },
    "card.unknown": {
        "ko": "이 가게에서 발급한 카드가 아닙니다.",
        "en": "This card was not issued by this shop.",
    },
    "card.taken": {
        "ko": "이미 다른 회원이 쓰고 있는 카드입니다.",
        "en": "This card already belongs to another member.",
    },
    "void.bad_id": {"ko": "취소할 번호가 올바르지 않습니다: {id}", "en": "Not a valid id: {id}"},
    "void.not_found": {
        "ko": "취소할 거래를 찾을 수 없습니다: {id}",
        "en": "No sale or redemption has the id {id}.",
    },
    "void.is_void": {
        "ko": "취소 기록은 다시 취소할 수 없습니다.",
        "en": "A void cannot itself be voided.",
    },
    "void.not_yours": {
        "ko": "다른 직원이 한 거래는 사장님만 취소할 수 있습니다.",
        "en": "Only an owner can void another staff member's action.",
    },
    "void.too_late": {
        "ko": "{minutes}분이 지난 거래는 사장님만 취소할 수 있습니다.",
        "en": "After {minutes} minutes only an owner can void this.",
    },
    "void.already": {"ko": "이미 취소된 거래입니다.", "en": "This has already been voided."},
    "void.points_spent": {
        "ko": "이 구매로 받은 {points}P가 이미 사용되었습니다 (잔액 {balance}P). 사용 내역을 먼저 취소하세요.",
        "en": "The {points} points from this sale were already spent (balance {balance}). "
        "Void the redemption first.",
    },
    "void.stamps_spent": {
        "ko": "이 구매로 받은 스탬프 {stamps}개가 이미 사용되었습니다. 보상 사용을 먼저 취소하세요.",
        "en": "The {stamps} stamps from this sale were already used. Void the reward first.",
    },
    "coupon.not_found": {"ko": "쿠폰 {code}을(를) 찾을 수 없습니다.", "en": "No coupon {code}."},
    "coupon.other_customer": {
        "ko": "쿠폰 {code}은(는) 다른 회원의 쿠폰입니다.",
        "en": "Coupon {code} belongs to another member.",
    },
    "adjust.reason_required": {
        "ko": "포인트 조정에는 사유가 필요합니다.",
        "en": "An adjustment needs a reason.",
    },
    "adjust.reason_too_long": {
        "ko": "사유는 {maximum}자까지 쓸 수 있습니다.",
        "en": "The reason can be at most {maximum} characters.",
    },
    "adjust.zero": {
        "ko": "조정할 포인트는 0이 아닌 정수여야 합니다.",
        "en": "The adjustment must be a whole number other than zero.",
    },
    "adjust.too_large": {
        "ko": "한 번에 {maximum}P까지 조정할 수 있습니다.",
        "en": "At most {maximum} points can be adjusted at once.",
    },
    "adjust.below_zero": {
        "ko": "잔액 {balance}P보다 많이 차감할 수 없습니다 ({points}P).",
        "en": "Cannot take {points} from a balance of {balance} points.",
    },
    "report.month_invalid": {
        "ko": "월은 YYYY-MM 형식으로 입력하세요 (입력: {value}).",
        "en": "Give the month as YYYY-MM (got {value}).",
    },
    "report.range_order": {
        "ko": "시작 월({first})이 끝 월({last})보다 늦습니다.",
        "en": "The first month ({first}) is after the last ({last}).",
    },
    "report.range_too_long": {
        "ko": "한 번에 {maximum}개월까지 볼 수 있습니다.",
        "en": "At most {maximum} months at once.",
    },
    "import.encoding": {
        "ko": "파일을 읽을 수 없습니다. UTF-8 또는 CP949(EUC-KR) CSV로 저장하세요.",
        "en": "Cannot read the file: save it as a UTF-8 or CP949 (EUC-KR) CSV.",
    },
    "import.no_phone_column": {
        "ko": "첫 줄에 'phone' 열이 있어야 합니다.",
        "en": "The first line must have a 'phone' column.",
    },
    "import.count_invalid": {
        "ko": "{column} 값은 0 이상의 정수여야 합니다 (입력: {value}).",
        "en": "{column} must be a whole number of 0 or more (got {value}).",
    },
    "import.count_too_large": {
        "ko": "{column} 값이 너무 큽니다 (최대 {maximum}).",
        "en": "{column} is too large (at most {maximum}).",
    },
    "import.consent_invalid": {
        "ko": "marketing_consent 값은 y 또는 n이어야 합니다 (입력: {value}).",
        "en": "marketing_consent must be y or n (got {value}).",
    },
    "import.duplicate": {
        "ko": "같은 번호가 {other}번째 줄에도 있습니다.",
        "en": "The same number is on line {other} too.",
    },
    "import.csv_broken": {
        "ko": "CSV 형식이 깨져 있습니다: {detail}",
        "en": "The CSV is broken here: {detail}",
    },
    "import.column_count": {
        "ko": "열 개수가 첫 줄과 다릅니다.",
        "en": "This row has a different number of columns than the header.",
    },
    "backup.sqlite_only": {
        "ko": "백업과 복원은 로컬 SQLite 파일에서만 됩니다. PostgreSQL은 pg_dump를 쓰세요.",
        "en": "Backup and restore work on the local SQLite file; use pg_dump for PostgreSQL.",
    },
    "backup.missing": {"ko": "파일이 없습니다: {path}", "en": "No such file: {path}"},
    "backup.not_database": {
        "ko": "단골 데이터베이스 파일이 아닙니다: {path}",
        "en": "Not a Dangol database file: {path}",
    },
    "backup.damaged": {
        "ko": "손상된 백업 파일입니다: {path}",
        "en": "The backup file is damaged: {path}",
    },
    "backup.unknown_version": {
        "ko": "알 수 없는 버전의 백업입니다: {path}",
        "en": "The backup is from an unknown version: {path}",
    },
    "backup.exists": {
        "ko": "이미 있는 파일에는 백업하지 않습니다: {path}",
        "en": "Will not overwrite an existing file: {path}",
    },
    "backup.same_file": {
        "ko": "사용 중인 데이터베이스 파일 자신은 지정할 수 없습니다.",
        "en": "That is the database in use.",
    },
    "demo.customers_range": {
        "ko": "데모 회원 수는 1부터 {maximum}까지입니다.",
        "en": "Demo customers: 1 to {maximum}.",
    },
    "demo.days_range": {
        "ko": "데모 기간은 1일부터 {maximum}일까지입니다.",
        "en": "Demo days: 1 to {maximum}.",
    },
    "file.not_found": {"ko": "파일이 없습니다: {path}", "en": "No such file: {path}"},
    "file.exists": {
        "ko": "이미 있는 파일입니다: {path}",
        "en": "The file already exists: {path}",
    },
    "program.file_invalid": {
        "ko": "프로그램 파일이 올바른 JSON이 아닙니다: {detail}",
        "en": "The program file is not valid JSON: {detail}",
    },
    "cli.usage": {"ko": "{detail}", "en": "{detail}"},
    "settings.invalid": {
        "ko": "설정 값이 올바르지 않습니다: {key}",
        "en": "That value is not allowed for {key}.",
    },
    "staff.pin_digits": {"ko": "PIN은 숫자만 입력하세요.", "en": "A PIN is digits only."},
    "staff.pin_length": {
        "ko": "PIN은 {minimum}~{maximum}자리 숫자입니다.",
        "en": "A PIN has {minimum} to {maximum} digits.",
    },
    "staff.owner_only": {
        "ko": "사장님(관리자)만 할 수 있는 작업입니다.",
        "en": "Only an owner can do this.",
    },
    "staff.name_required": {
        "ko": "직원 이름을 입력하세요.",
        "en": "Enter the staff member's name.",
    },
    "staff.role": {"ko": "알 수 없는 역할입니다: {role}", "en": "Unknown role: {role}"},
    "staff.not_found": {"ko": "직원을 찾을 수 없습니다.", "en": "No such staff member."},
    "staff.disable_self": {
        "ko": "자기 자신은 사용 중지할 수 없습니다.",
        "en": "You cannot disable yourself.",
    },
    "signin.wrong_pin": {
        "ko": "PIN이 틀렸습니다. {left}번 더 틀리면 잠시 잠깁니다.",
        "en": "Wrong PIN. {left} more wrong and sign-in locks for a while.",
    },
    "signin.locked": {
        "ko": "PIN을 여러 번 틀려 잠겼습니다. {minutes}분 뒤에 다시 시도하세요.",
        "en": "Too many wrong PINs. Try again in {minutes} min.",
    },
    # printing: slips, membership cards, card sheets
    "slip.not_found": {
        "ko": "'{id}'에 해당하는 구매나 사용 기록이 없습니다.",
        "en": "No sale or redemption has the id '{id}'.",
    },
    "cards.no_card": {
        "ko": "'{query}' 회원에게 사용 중인 카드가 없습니다. 먼저 카드를 재발급하세요.",
        "en": "Member '{query}' has no active card. Reissue a card first.",
    },
    "cards.none": {
        "ko": "카드를 인쇄할 회원이 없습니다.",
        "en": "There are no members whose cards could be printed.",
    },
    "cards.too_many": {
        "ko": "카드 {count}장은 한 번에 인쇄하기에 너무 많습니다 (최대 {maximum}장).",
        "en": "{count} cards are too many for one print job (at most {maximum}).",
    },
    "cards.count_range": {
        "ko": "빈 카드는 1장에서 {maximum}장까지 만들 수 있습니다 (입력: {count}).",
        "en": "Blank cards come in batches of 1 to {maximum} (got {count}).",
    },
    "cards.sheet_unknown": {
        "ko": "알 수 없는 카드 용지입니다: {sheet} (사용 가능: {known})",
        "en": "Unknown card sheet: {sheet} (known: {known})",
    },
    "cards.sheet_invalid": {
        "ko": "카드 용지 {sheet}의 배치가 올바르지 않습니다: {detail}",
        "en": "The layout of card sheet {sheet} cannot be used: {detail}",
    },
    "print.no_output": {
        "ko": "저장할 파일을 지정하세요 (--out 파일.pdf 또는 --escpos 파일.bin).",
        "en": "Say where to write it (--out FILE.pdf or --escpos FILE.bin).",
    },
    "print.out_is_directory": {
        "ko": "{path}은(는) 폴더입니다. 파일 이름을 지정하세요.",
        "en": "{path} is a folder; give a file name.",
    },
    "print.out_folder_missing": {
        "ko": "{path}을(를) 저장할 폴더가 없습니다.",
        "en": "The folder for {path} does not exist.",
    },
    "print.write_failed": {
        "ko": "{path}에 쓸 수 없습니다: {error}",
        "en": "Cannot write {path}: {error}",
    },
    "print.width": {
        "ko": "용지 폭은 58 또는 80(mm)입니다 (입력: {width}).",
        "en": "Paper width is 58 or 80 (mm) (got {width}).",
    },
}
