variable "db_password" {
  type = string
  # ruleid: SEC003
  default = "Pg-0rders!2024x"
}

variable "slack_token" {
  # ruleid: SEC003
  default = "xoxb-2048193756-4096381275-Qm7Rt2Lx9Vp4Kz8Nw3Yh6Jc"
}
