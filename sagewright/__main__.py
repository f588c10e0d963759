from sagewright.cli import main

main()
