from iac_lint.cli import main

main()
