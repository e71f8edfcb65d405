variable "db_password" {
  type      = string
  sensitive = true
  default   = "Pg-0rders!2024x"
}

variable "api_token" {
  type = string
}

variable "secret_name" {
  default = "orders/db"
}

variable "admin_password" {
  default = "<set-me>"
}
